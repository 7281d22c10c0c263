// One rate-limiter-flexible limiter per (points, window) pair, made on first use: the key already
// names the policy, so policies with the same numbers share a limiter object (not counters).
import { RateLimiterRes } from 'rate-limiter-flexible';
import type { ConsumeOutcome } from './types.ts';

export interface ConsumingLimiter {
  consume(key: string, points?: number): Promise<RateLimiterRes>;
}

/** Distinct API-key quotas are few, but they come from data: cap the cache so it cannot grow without bound. */
const MAX_LIMITERS = 1000;

export function limiterCache<T extends ConsumingLimiter>(make: (points: number, perSeconds: number) => T) {
  const limiters = new Map<string, T>();
  return (points: number, perSeconds: number): T => {
    const id = `${points}/${perSeconds}`;
    let limiter = limiters.get(id);
    if (!limiter) {
      if (limiters.size >= MAX_LIMITERS) limiters.delete(limiters.keys().next().value!);
      limiter = make(points, perSeconds);
      limiters.set(id, limiter);
    }
    return limiter;
  };
}

/** rate-limiter-flexible resolves with a RateLimiterRes when admitted and rejects with one when limited. */
export async function consumeOutcome(
  limiter: ConsumingLimiter,
  key: string,
  fromInsurance: (res: RateLimiterRes) => boolean = () => false,
): Promise<ConsumeOutcome> {
  try {
    const res = await limiter.consume(key);
    return {
      kind: 'allowed',
      remaining: res.remainingPoints,
      resetMs: res.msBeforeNext,
      fromInsurance: fromInsurance(res),
    };
  } catch (error) {
    if (error instanceof RateLimiterRes) {
      return {
        kind: 'limited',
        remaining: 0,
        resetMs: error.msBeforeNext,
        fromInsurance: fromInsurance(error),
      };
    }
    return { kind: 'store-failure', error };
  }
}
