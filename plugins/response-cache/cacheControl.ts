// Cache-Control as RFC 9111 reads it, for the decisions a shared gateway cache makes. Pure.

export type Directives = ReadonlyMap<string, string | true>;

export function parseCacheControl(header: unknown): Directives {
  const directives = new Map<string, string | true>();
  const text = Array.isArray(header) ? header.join(',') : typeof header === 'string' ? header : '';
  for (const part of text.split(',')) {
    const [name = '', ...value] = part.split('=');
    const key = name.trim().toLowerCase();
    if (!key) continue;
    directives.set(
      key,
      value.length > 0
        ? value
            .join('=')
            .trim()
            .replace(/^"(.*)"$/, '$1')
        : true,
    );
  }
  return directives;
}

function seconds(value: string | true | undefined): number | undefined {
  if (typeof value !== 'string' || !/^\d+$/.test(value)) return undefined;
  return Number(value);
}

/** What the client's own Cache-Control asks of the cache. */
export interface ClientWish {
  /** no-store: neither served from the cache nor stored. */
  bypass: boolean;
  /** no-cache or max-age=0: not served from the cache, but the fresh answer may be stored. */
  refresh: boolean;
  /** max-age=N: an entry older than N seconds is not served. */
  maxAgeMs?: number;
}

export function clientWish(header: unknown): ClientWish {
  const directives = parseCacheControl(header);
  const maxAge = seconds(directives.get('max-age'));
  return {
    bypass: directives.has('no-store'),
    refresh: directives.has('no-cache') || maxAge === 0,
    ...(maxAge !== undefined && maxAge > 0 ? { maxAgeMs: maxAge * 1000 } : {}),
  };
}

export type StoreDecision = { store: true; ttlMs: number } | { store: false; reason: string };

/**
 * Whether an upstream's answer may be kept, and for how long: s-maxage, else max-age, else the
 * route's TTL. `private` answers are kept only in an entry of the caller's own (`perCaller`).
 */
export function storeDecision(header: unknown, defaultTtlMs: number, perCaller: boolean): StoreDecision {
  const directives = parseCacheControl(header);
  if (directives.has('no-store')) return { store: false, reason: 'no-store' };
  if (directives.has('no-cache')) return { store: false, reason: 'no-cache' };
  if (directives.has('private') && !perCaller) return { store: false, reason: 'private' };
  const own = seconds(directives.get('s-maxage')) ?? seconds(directives.get('max-age'));
  const ttlMs = own === undefined ? defaultTtlMs : own * 1000;
  if (ttlMs <= 0) return { store: false, reason: 'max-age=0' };
  return { store: true, ttlMs };
}

/** If-None-Match against an entity tag, with the weak comparison RFC 9110 prescribes for it. */
export function noneMatch(ifNoneMatch: unknown, etag: unknown): boolean {
  if (typeof ifNoneMatch !== 'string' || typeof etag !== 'string') return false;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  if (ifNoneMatch.trim() === '*') return true;
  return ifNoneMatch.split(',').some((tag) => opaque(tag) === opaque(etag));
}
