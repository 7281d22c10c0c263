// Where cached answers live. Every method may reject when the store fails; the plugin then serves
// from the upstream (a miss) and stores nothing.

export interface CachedAnswer {
  status: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
  /** Epoch ms. */
  storedAt: number;
  expiresAt: number;
}

export interface CacheStore {
  readonly kind: 'memory' | 'redis';
  /** The request headers the answers under `baseKey` vary on, or undefined when nothing is stored there. */
  variesOn(path: string, baseKey: string): Promise<string[] | undefined>;
  read(path: string, entryKey: string): Promise<CachedAnswer | undefined>;
  /** Stores the answer and its Vary list; both expire after `ttlMs`. */
  write(
    path: string,
    baseKey: string,
    vary: string[],
    entryKey: string,
    answer: CachedAnswer,
    ttlMs: number,
  ): Promise<void>;
  /** Removes every entry of these exact paths (any query, caller, Vary); records the purge time. */
  purgePaths(paths: readonly string[], at: number): Promise<number>;
  /** Removes every entry whose path starts with `prefix`. */
  purgePrefix(prefix: string, at: number): Promise<number>;
  /** True when one of `paths` was purged after `since` (an answer fetched before a write is not stored). */
  purgedSince(paths: readonly string[], since: number): Promise<boolean>;
  /** Entries held, when the store can tell cheaply (memory). */
  size(): number | undefined;
}
