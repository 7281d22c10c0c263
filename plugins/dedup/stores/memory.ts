// Idempotency records in this process (lru-cache with per-entry TTL), bounded by the bytes they hold.
import { LRUCache } from 'lru-cache';
import type { IdempotencyRecord, IdempotencyStore, PendingMark, StoreEntry } from './types.ts';

type Held =
  { state: 'pending'; fingerprint: string; token: string } | { state: 'done'; record: IdempotencyRecord };

export function memoryStore(maxSize: number): IdempotencyStore {
  const entries = new LRUCache<string, Held>({
    maxSize,
    // Records weigh their body plus a fixed allowance for headers and bookkeeping.
    sizeCalculation: (held) =>
      held.state === 'done' ? (held.record.response?.body.length ?? 0) + 1024 : 256,
  });
  const visible = (held: Held | undefined): StoreEntry | undefined =>
    held === undefined
      ? undefined
      : held.state === 'done'
        ? held
        : { state: 'pending', fingerprint: held.fingerprint };
  const isMine = (held: Held | undefined, mark: PendingMark) =>
    held?.state === 'pending' && held.token === mark.token;

  return {
    kind: 'memory',
    async claim(key, mark, lockTtl) {
      const held = entries.get(key);
      if (held) return visible(held);
      entries.set(key, { state: 'pending', ...mark }, { ttl: lockTtl });
      return undefined;
    },
    async get(key) {
      return visible(entries.get(key));
    },
    async complete(key, mark, record, ttl) {
      if (isMine(entries.get(key), mark)) entries.set(key, { state: 'done', record }, { ttl });
    },
    async release(key, mark) {
      if (isMine(entries.get(key), mark)) entries.delete(key);
    },
  };
}
