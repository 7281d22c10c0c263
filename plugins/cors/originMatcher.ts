// Exact origins match by set lookup; "https://*.example.edu" matches one or more sub-domain labels.

export type OriginMatcher = (origin: string) => boolean;

export function originMatcher(origins: string[]): OriginMatcher {
  if (origins.includes('*')) return () => true;
  const exact = new Set(origins.filter((origin) => !origin.includes('*')));
  const patterns = origins
    .filter((origin) => origin.includes('*'))
    .map(
      (origin) =>
        new RegExp(`^${origin.split('*').map(escapeRegExp).join('[a-z0-9-]+(?:\\.[a-z0-9-]+)*')}$`, 'i'),
    );
  return (origin) => exact.has(origin) || patterns.some((pattern) => pattern.test(origin));
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
