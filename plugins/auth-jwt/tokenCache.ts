// Verified tokens, so a hot token is not re-verified on every request (one ES256 verification
// costs more CPU than a whole proxied request). Keyed by a SHA-256 of the token, so the cache holds
// no usable token; an entry never outlives the token's exp, nor the configured ttl.
import { hash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { VerifiedToken } from './verifyToken.ts';

export interface TokenCache {
  get(token: string): VerifiedToken | undefined;
  set(token: string, verified: VerifiedToken): void;
  /** Forgets every entry (an issuer stopped publishing a key: its tokens must be checked again). */
  clear(): void;
  readonly size: number;
}

interface Entry {
  verified: VerifiedToken;
  /** ms since the epoch: min(exp, cached-at + ttl). */
  until: number;
}

export function createTokenCache(options: { max: number; ttl: number; now?: () => number }): TokenCache {
  const now = options.now ?? Date.now;
  if (options.max === 0) return { get: () => undefined, set: () => {}, clear: () => {}, size: 0 };
  const entries = new LRUCache<string, Entry>({ max: options.max });
  // crypto.hash: one call, no Hash object per lookup (a hit should cost a lookup).
  const keyOf = (token: string) => hash('sha256', token, 'base64url');

  return {
    get(token) {
      const key = keyOf(token);
      const entry = entries.get(key);
      if (!entry) return undefined;
      if (now() >= entry.until) {
        entries.delete(key);
        return undefined;
      }
      return entry.verified;
    },
    set(token, verified) {
      const until = Math.min(verified.expiresAt, now() + options.ttl);
      if (until > now()) entries.set(keyOf(token), { verified, until });
    },
    clear() {
      entries.clear();
    },
    get size() {
      return entries.size;
    },
  };
}
