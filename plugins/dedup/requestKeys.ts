// The keys dedup works with: the Idempotency-Key as the IETF httpapi draft writes it, the caller
// it is scoped to, the request fingerprint, and the key of a coalescable GET.
import { createHash } from 'node:crypto';
import type { Caller } from '../../contracts/upstream.ts';

// draft-ietf-httpapi-idempotency-key-header: an sf-string ("..."); a bare token is accepted too,
// as most clients send one. Printable ASCII only, bounded so it cannot bloat the store.
const SF_STRING = /^"((?:[\x20\x21\x23-\x5b\x5d-\x7e]|\\["\\]){1,255})"$/;
const BARE = /^[\x21\x23-\x7e]{1,255}$/;

/** The key's value, or undefined when the header is malformed. */
export function parseIdempotencyKey(header: string | string[] | undefined): string | undefined {
  if (typeof header !== 'string') return undefined;
  const value = header.trim();
  const quoted = SF_STRING.exec(value);
  if (quoted) return quoted[1]!.replace(/\\(["\\])/g, '$1');
  return BARE.test(value) ? value : undefined;
}

/** Who a key belongs to: the user (`sub`), else the API key (`keyId`), else the client's address. */
export function callerScope(caller: Caller): string {
  if (caller.userId) return `user:${caller.userId}`;
  if (caller.apiKeyId) return `key:${caller.apiKeyId}`;
  return `ip:${caller.ip}`;
}

const hash = (...parts: Array<string | Buffer>): string => {
  const digest = createHash('sha256');
  for (const part of parts) digest.update(part).update('\0');
  return digest.digest('base64url');
};

/** Where a record lives: per route, caller and key. Hashed, so no user id or address is stored in clear. */
export function recordKey(routeId: string, scope: string, key: string): string {
  return hash(routeId, scope, key);
}

/** What makes a retry "the same request": method, target and body. */
export function requestFingerprint(method: string, target: string, body: Buffer): string {
  return hash(method, target, body);
}

// Identity and conditional headers: requests that differ in any of them never share an answer.
const ALWAYS_VARY = [
  'authorization',
  'cookie',
  'x-api-key',
  'range',
  'if-range',
  'if-none-match',
  'if-modified-since',
];

/** Identical GETs: same route, target, caller and the headers that vary the answer. */
export function coalesceKey(
  routeId: string,
  target: string,
  user: string | undefined,
  headers: Record<string, string | string[] | undefined>,
  varyHeaders: readonly string[],
): string {
  const values = [...ALWAYS_VARY, ...varyHeaders].map((name) => {
    const value = headers[name];
    return `${name}=${Array.isArray(value) ? value.join(',') : (value ?? '')}`;
  });
  return hash(routeId, target, user ?? '', ...values);
}
