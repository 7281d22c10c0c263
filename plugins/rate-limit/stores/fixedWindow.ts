// Counters that reset at a fixed instant (an API key's monthly quota resets when the calendar
// month ends). Not rate-limiter-flexible: its memory store expires keys with setTimeout, which
// cannot wait more than 24.8 days, and a month is longer.
import type { RedisClient } from '../../../contracts/plugin.ts';
import type { ConsumeOutcome } from './types.ts';

/** Counts kept in this process; a counter past its reset time is dropped when next seen or when many are held. */
export function memoryFixedWindow(maxKeys = 100_000) {
  const counters = new Map<string, { count: number; resetAtMs: number }>();
  return (key: string, points: number, resetAtMs: number, nowMs = Date.now()): ConsumeOutcome => {
    let counter = counters.get(key);
    if (!counter || counter.resetAtMs <= nowMs) {
      if (counters.size >= maxKeys) {
        for (const [name, held] of counters) if (held.resetAtMs <= nowMs) counters.delete(name);
        if (counters.size >= maxKeys) counters.delete(counters.keys().next().value!);
      }
      counter = { count: 0, resetAtMs };
      counters.set(key, counter);
    }
    counter.count++;
    const resetMs = counter.resetAtMs - nowMs;
    return counter.count > points
      ? { kind: 'limited', remaining: 0, resetMs, fromInsurance: false }
      : { kind: 'allowed', remaining: points - counter.count, resetMs, fromInsurance: false };
  };
}

/** One INCR and a PEXPIREAT in a transaction: every instance counts into the same key. */
export async function redisFixedWindow(
  client: RedisClient,
  key: string,
  points: number,
  resetAtMs: number,
  timeoutMs: number,
): Promise<ConsumeOutcome> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const exec = client.multi().incr(key).pexpireat(key, resetAtMs).exec();
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`redis slower than ${timeoutMs}ms`)), timeoutMs);
    });
    const results = await Promise.race([exec, timeout]);
    const [error, count] = results?.[0] ?? [new Error('no answer from redis'), 0];
    if (error) throw error;
    const resetMs = Math.max(0, resetAtMs - Date.now());
    return Number(count) > points
      ? { kind: 'limited', remaining: 0, resetMs, fromInsurance: false }
      : { kind: 'allowed', remaining: points - Number(count), resetMs, fromInsurance: false };
  } catch (error) {
    return { kind: 'store-failure', error };
  } finally {
    clearTimeout(timer);
  }
}
