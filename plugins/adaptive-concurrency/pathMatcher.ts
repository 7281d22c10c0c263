// Paths that are shed last, as ops write them: exact ("/healthz") or with "*" for any characters
// ("/*/healthz", "/api/v1/auth/*"). Compiled once into one regular expression.

export function pathMatcher(patterns: readonly string[]): (path: string) => boolean {
  if (patterns.length === 0) return () => false;
  const alternatives = patterns.map((pattern) => pattern.split('*').map(escapeRegExp).join('.*'));
  const regex = new RegExp(`^(?:${alternatives.join('|')})$`);
  return (path) => regex.test(path);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
