// API keys themselves: 32 random bytes behind a recognisable prefix (so secret scanners can find a
// leaked one), stored only as a SHA-256. A slow password hash would add nothing: the key has 256
// bits of entropy, so its hash cannot be reversed by guessing.
import { createHash, randomBytes } from 'node:crypto';

export const KEY_PREFIX = 'ptk_';
const KEY_SHAPE = /^ptk_[A-Za-z0-9_-]{43}$/;

export interface ApiKeyRecord {
  id: string;
  name: string;
  owner: string;
  scopes: string[];
  /** A label for the key's plan. */
  plan?: string;
  /** The key's own rate-limit policy, read by the rate-limit plugin from request.auth.credentials. */
  rateLimit?: { points: number; duration: number };
  /** Requests per calendar month (UTC), counted by the rate-limit plugin. */
  monthlyQuota?: number;
  /** Route names the key may be used on; absent: every route that accepts keys. */
  routes?: string[];
  /** ISO 8601: from then on the key is refused (401). */
  expiresAt?: string;
  /** ISO 8601. */
  createdAt: string;
  revokedAt?: string;
}

/** A record as stored: with the key's hash, never the key. */
export interface StoredApiKey extends ApiKeyRecord {
  hash: string;
}

export function generateKey(): string {
  return `${KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
}

export function generateKeyId(): string {
  return `key_${randomBytes(9).toString('base64url')}`;
}

export function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export function isWellFormedKey(key: string): boolean {
  return KEY_SHAPE.test(key);
}

/** The key a request presents: `X-API-Key: <key>` or `Authorization: ApiKey <key>`; undefined when neither. */
export function presentedKey(headers: Record<string, unknown>): string | undefined {
  const header = headers['x-api-key'];
  if (typeof header === 'string' && header.trim()) return header.trim();
  const authorization = headers.authorization;
  if (typeof authorization !== 'string') return undefined;
  const match = /^ApiKey\s+(\S+)\s*$/i.exec(authorization.trim());
  return match?.[1];
}

/** The record without its hash: what admins and logs may see. */
export function publicRecord({ hash: _hash, ...record }: StoredApiKey): ApiKeyRecord {
  return record;
}
