// Answers in this process: a bounded LRU (entries and bytes), indexed by path so a write purges
// its path without a scan. The embedded default for one instance.
import { LRUCache } from 'lru-cache';
import type { CachedAnswer, CacheStore } from './types.ts';

type Stored = { kind: 'vary'; vary: string[] } | { kind: 'answer'; answer: CachedAnswer };

export function memoryStore(options: { maxEntries: number; maxBytes: number; maxTtlMs: number }): CacheStore {
  const byPath = new Map<string, Set<string>>();
  const pathOf = new Map<string, string>();
  const purgedAt = new LRUCache<string, number>({ max: 10_000, ttl: options.maxTtlMs });
  const entries = new LRUCache<string, Stored>({
    max: options.maxEntries,
    maxSize: options.maxBytes,
    sizeCalculation: (value) => (value.kind === 'answer' ? Math.max(1, value.answer.body.length) : 1),
    dispose: (_value, key) => {
      const path = pathOf.get(key);
      pathOf.delete(key);
      if (path === undefined) return;
      const keys = byPath.get(path);
      keys?.delete(key);
      if (keys?.size === 0) byPath.delete(path);
    },
  });
  const put = (path: string, key: string, value: Stored, ttl: number) => {
    entries.set(key, value, { ttl });
    if (!entries.has(key)) return; // refused (larger than the whole cache)
    pathOf.set(key, path);
    let keys = byPath.get(path);
    if (!keys) byPath.set(path, (keys = new Set()));
    keys.add(key);
  };
  const purge = (path: string, at: number) => {
    purgedAt.set(path, at);
    const keys = [...(byPath.get(path) ?? [])];
    for (const key of keys) entries.delete(key);
    return keys.filter((key) => key.startsWith('e:')).length;
  };

  return {
    kind: 'memory',
    async variesOn(_path, baseKey) {
      const value = entries.get(`v:${baseKey}`);
      return value?.kind === 'vary' ? value.vary : undefined;
    },
    async read(_path, entryKey) {
      const value = entries.get(`e:${entryKey}`);
      return value?.kind === 'answer' ? value.answer : undefined;
    },
    async write(path, baseKey, vary, entryKey, answer, ttlMs) {
      put(path, `v:${baseKey}`, { kind: 'vary', vary }, ttlMs);
      put(path, `e:${entryKey}`, { kind: 'answer', answer }, ttlMs);
    },
    async purgePaths(paths, at) {
      return paths.reduce((count, path) => count + purge(path, at), 0);
    },
    async purgePrefix(prefix, at) {
      return [...byPath.keys()]
        .filter((path) => path.startsWith(prefix))
        .reduce((count, path) => count + purge(path, at), 0);
    },
    async purgedSince(paths, since) {
      return paths.some((path) => (purgedAt.get(path) ?? 0) >= since);
    },
    size: () => [...entries.values()].filter((value) => value.kind === 'answer').length,
  };
}
