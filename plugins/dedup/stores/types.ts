// Where idempotency records live: this process's memory, or Redis (shared by every instance).
import type { StoredResponse } from '../bufferedResponse.ts';

export interface IdempotencyRecord {
  fingerprint: string;
  /** Absent when the first answer was too large to keep: duplicates then get 409. */
  response?: StoredResponse;
}

/** The in-flight mark a request leaves while it runs; the token proves it is still that request's. */
export interface PendingMark {
  fingerprint: string;
  token: string;
}

export type StoreEntry =
  { state: 'pending'; fingerprint: string } | { state: 'done'; record: IdempotencyRecord };

export interface IdempotencyStore {
  kind: 'memory' | 'redis';
  /** Marks `key` in flight (expiring after `lockTtl` ms) and resolves undefined; or resolves what already holds it. */
  claim(key: string, mark: PendingMark, lockTtl: number): Promise<StoreEntry | undefined>;
  get(key: string): Promise<StoreEntry | undefined>;
  /** Replaces this request's mark with its record, kept `ttl` ms; a mark that expired meanwhile is left alone. */
  complete(key: string, mark: PendingMark, record: IdempotencyRecord, ttl: number): Promise<void>;
  /** Drops this request's mark (it got no answer to keep), so a later retry may run. */
  release(key: string, mark: PendingMark): Promise<void>;
}
