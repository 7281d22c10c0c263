// One instance's APQ store: an LRU with a TTL (each instance learns a query on its first miss).
import { LRUCache } from 'lru-cache';
import type { ApqStore } from './apqStore.ts';

export function memoryApqStore(options: { maxEntries: number; ttl: number }): ApqStore {
  const cache = new LRUCache<string, string>({ max: options.maxEntries, ttl: options.ttl });
  return {
    kind: 'memory',
    get: async (hash) => cache.get(hash),
    set: async (hash, query) => void cache.set(hash, query),
  };
}
