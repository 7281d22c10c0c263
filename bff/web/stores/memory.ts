// The embedded store: one Map per gateway, entries dropped when read after their expiry and swept
// once a minute so abandoned sessions do not accumulate.
import type { SessionStore } from './types.ts';

export function memoryStore(now: () => number = Date.now): SessionStore {
  const entries = new Map<string, { value: string; expiresAt: number }>();
  const live = (key: string) => {
    const entry = entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= now()) {
      entries.delete(key);
      return undefined;
    }
    return entry;
  };
  const sweep = setInterval(() => {
    for (const key of entries.keys()) live(key);
  }, 60_000);
  sweep.unref();
  return {
    kind: 'memory',
    async get(key) {
      return live(key)?.value;
    },
    async set(key, value, ttlMs) {
      entries.set(key, { value, expiresAt: now() + ttlMs });
    },
    async touch(key, ttlMs) {
      const entry = live(key);
      if (entry) entry.expiresAt = now() + ttlMs;
    },
    async take(key) {
      const value = live(key)?.value;
      entries.delete(key);
      return value;
    },
    async delete(key) {
      entries.delete(key);
    },
    async claim(key, ttlMs) {
      if (live(key)) return false;
      entries.set(key, { value: '1', expiresAt: now() + ttlMs });
      return true;
    },
    async close() {
      clearInterval(sweep);
      entries.clear();
    },
  };
}
