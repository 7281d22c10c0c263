// Decides the path the upstream sees, so that no encoding trick leaves the route's prefix.
// hapi has already applied WHATWG URL parsing: "..", "%2e%2e" and "\" segments are resolved
// before routing, so the route that matched is the route of the normalized path. What is left
// to stop is what WHATWG keeps but an upstream might decode into a separator or a dot-segment.

export interface PathRewrite {
  /** Literal part of the route path before its first parameter. */
  prefix: string;
  stripPrefix?: string;
  addPrefix?: string;
  /** Path of the upstream's base URL ("" for "/"). */
  basePath: string;
}

export type UpstreamPathResult = { ok: true; path: string } | { ok: false; reason: string };

// Encoded "/", "\", NUL, and any "%" that survives one decoding (double encoding).
const FORBIDDEN_ENCODED = /%(2f|5c|00)/i;

export function upstreamPath(pathname: string, rewrite: PathRewrite): UpstreamPathResult {
  if (pathname.includes('\\') || !pathname.startsWith('/')) return { ok: false, reason: 'malformed path' };
  if (FORBIDDEN_ENCODED.test(pathname)) return { ok: false, reason: 'encoded separator in path' };
  if (pathname.includes('%')) {
    for (const segment of pathname.split('/')) {
      if (!segment.includes('%')) continue;
      let decoded: string;
      try {
        decoded = decodeURIComponent(segment);
      } catch {
        return { ok: false, reason: 'malformed percent-encoding in path' };
      }
      if (decoded === '.' || decoded === '..' || /[/\\\0]/.test(decoded) || /%[0-9a-f]{2}/i.test(decoded)) {
        return { ok: false, reason: 'encoded dot-segment or double encoding in path' };
      }
    }
  }
  if (pathname.split('/').some((segment) => segment === '.' || segment === '..')) {
    return { ok: false, reason: 'dot-segment in path' };
  }
  if (!(
    pathname === rewrite.prefix ||
    pathname.startsWith(rewrite.prefix.endsWith('/') ? rewrite.prefix : `${rewrite.prefix}/`) ||
    rewrite.prefix === '/'
  )) {
    return { ok: false, reason: 'path outside the route' };
  }

  let path = pathname;
  if (rewrite.stripPrefix && path.startsWith(rewrite.stripPrefix))
    path = path.slice(rewrite.stripPrefix.length) || '/';
  if (!path.startsWith('/')) path = `/${path}`;
  if (rewrite.addPrefix) path = rewrite.addPrefix.replace(/\/$/, '') + path;
  if (rewrite.basePath) path = rewrite.basePath.replace(/\/$/, '') + path;
  return { ok: true, path };
}
