// What the web BFF keeps server-side: sealed strings by key, with an expiry. Memory for one
// instance, Redis so any instance serves any session.
export interface SessionStore {
  readonly kind: 'memory' | 'redis';
  get(key: string): Promise<string | undefined>;
  /** Stores `value` for `ttlMs`. */
  set(key: string, value: string, ttlMs: number): Promise<void>;
  /** Moves the expiry of an existing key to `ttlMs` from now without rewriting it (idle timeout). */
  touch(key: string, ttlMs: number): Promise<void>;
  /** Reads and deletes in one step (an SSO login flow is used once). */
  take(key: string): Promise<string | undefined>;
  delete(key: string): Promise<void>;
  /** Sets `key` only if absent, for `ttlMs`: true when this caller got it (a refresh lock). */
  claim(key: string, ttlMs: number): Promise<boolean>;
  close(): Promise<void>;
}
