// Counters in Redis (standalone or Cluster, through the gateway's ioredis client): every instance
// shares one budget, counted atomically by rate-limiter-flexible's Lua script (INCRBY + PEXPIRE).
// When Redis fails or is slower than the timeout, rate-limiter-flexible's insuranceLimiter (an
// in-memory limiter of this instance) answers instead, if onStoreFailure is "insurance".
import {
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
  RLWrapperTimeouts,
} from 'rate-limiter-flexible';
import type { RedisClient } from '../../../contracts/plugin.ts';
import { memoryFixedWindow, redisFixedWindow } from './fixedWindow.ts';
import { consumeOutcome, limiterCache } from './limiterCache.ts';
import type { LimiterStore } from './types.ts';

export interface RedisStoreOptions {
  keyPrefix: string;
  /** A Redis call slower than this is a store failure. */
  timeoutMs: number;
  /** Use a per-instance in-memory limiter while Redis fails; otherwise the failure is reported to the caller. */
  insurance: boolean;
  /** Each instance's insurance budget is points / insuranceDivisor (at least 1). */
  insuranceDivisor: number;
}

export function redisStore(client: RedisClient, options: RedisStoreOptions): LimiterStore {
  // Answers of the insurance limiter are marked, so the plugin can tell (and report) when Redis is not the one answering.
  const insuranceAnswers = new WeakSet<RateLimiterRes>();
  const mark = <T>(value: T): T => {
    if (value instanceof RateLimiterRes) insuranceAnswers.add(value);
    return value;
  };
  class InsuranceLimiter extends RateLimiterMemory {
    override consume(key: string | number, points?: number, consumeOptions?: { [key: string]: unknown }) {
      return super.consume(key, points, consumeOptions).then(mark, (rejection: unknown) => {
        throw mark(rejection);
      });
    }
  }

  const limiter = limiterCache((points, duration) => {
    const shared = new RateLimiterRedis({
      storeClient: client,
      useRedisPackage: false,
      // Fail over at once while ioredis reconnects instead of waiting for a command to fail.
      rejectIfRedisNotReady: true,
      points,
      duration,
      keyPrefix: options.keyPrefix,
    });
    const insuranceLimiter = options.insurance
      ? new InsuranceLimiter({
          points: Math.max(1, Math.floor(points / options.insuranceDivisor)),
          duration,
          keyPrefix: `${options.keyPrefix}:insurance`,
        })
      : undefined;
    return new RLWrapperTimeouts({ limiter: shared, timeoutMs: options.timeoutMs, insuranceLimiter });
  });

  // The insurance of the fixed windows: this instance's own count (points / insuranceDivisor) while Redis fails.
  const insuranceFixed = memoryFixedWindow();
  return {
    kind: 'redis',
    consume: (key, points, perSeconds) =>
      consumeOutcome(limiter(points, perSeconds), key, (res) => insuranceAnswers.has(res)),
    async consumeUntil(key, points, resetAtMs) {
      const outcome = await redisFixedWindow(
        client,
        `${options.keyPrefix}:${key}`,
        points,
        resetAtMs,
        options.timeoutMs,
      );
      if (outcome.kind !== 'store-failure' || !options.insurance) return outcome;
      const local = insuranceFixed(
        key,
        Math.max(1, Math.floor(points / options.insuranceDivisor)),
        resetAtMs,
      );
      return local.kind === 'store-failure' ? local : { ...local, fromInsurance: true };
    },
  };
}
