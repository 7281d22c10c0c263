// The keys of an entry: the base (method, path, query and, on a private route, who asks) and the
// entry itself (the base plus the values of the request headers the answer varies on). Hashed:
// a key never shows a user id, a query or a header value to whoever reads the store.
import { createHash } from 'node:crypto';

/** Only GET answers are kept (HEAD is answered from them), so the method is always GET. */
export function baseKey(path: string, search: string, caller: string): string {
  return digest(['GET', path, search, caller].join('\n'));
}

export function entryKey(base: string, vary: readonly string[], headers: Record<string, unknown>): string {
  const values = vary.map((name) => {
    const value = headers[name];
    return `${name}:${Array.isArray(value) ? value.join(',') : typeof value === 'string' ? value : ''}`;
  });
  return digest([base, ...values].join('\n'));
}

/** The answer's Vary names with the route's own, lower-case, sorted; undefined for `Vary: *` (never stored). */
export function varyNames(varyHeader: unknown, routeVary: readonly string[]): string[] | undefined {
  const text = Array.isArray(varyHeader)
    ? varyHeader.join(',')
    : typeof varyHeader === 'string'
      ? varyHeader
      : '';
  const names = text
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter(Boolean);
  if (names.includes('*')) return undefined;
  return [...new Set([...names, ...routeVary])].sort();
}

/** The paths a successful write makes stale: its own, and its collection (the parent path). */
export function writtenPaths(path: string): string[] {
  const trimmed = indexPath(path);
  const parent = trimmed.slice(0, trimmed.lastIndexOf('/'));
  return parent && parent !== trimmed ? [trimmed, parent] : [trimmed];
}

function digest(text: string): string {
  return createHash('sha256').update(text).digest('base64url');
}

/** The path an entry is filed under for purges: without trailing slashes. */
export function indexPath(path: string): string {
  return path.length > 1 ? path.replace(/\/+$/, '') || '/' : path;
}
