// Counters in this process: the embedded default for one instance (and the insurance store).
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { memoryFixedWindow } from './fixedWindow.ts';
import { consumeOutcome, limiterCache } from './limiterCache.ts';
import type { LimiterStore } from './types.ts';

export function memoryStore(keyPrefix: string): LimiterStore {
  const limiter = limiterCache((points, duration) => new RateLimiterMemory({ points, duration, keyPrefix }));
  const fixed = memoryFixedWindow();
  return {
    kind: 'memory',
    consume: (key, points, perSeconds) => consumeOutcome(limiter(points, perSeconds), key),
    consumeUntil: async (key, points, resetAtMs) => fixed(key, points, resetAtMs),
  };
}
