// Exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff and Jitter"):
// the n-th retry waits a uniformly random time in [0, min(max, base * 2^(n-1))), which spreads
// retries of many clients instead of synchronising them.

export function backoffDelay(
  retry: number,
  base: number,
  max: number,
  random: () => number = Math.random,
): number {
  const cap = Math.min(max, base * 2 ** (retry - 1));
  return Math.floor(random() * cap);
}

/** Seconds an upstream asked for in Retry-After (delta-seconds or an HTTP date); undefined when absent or unreadable. */
export function retryAfterMs(
  value: string | string[] | undefined,
  now: number = Date.now(),
): number | undefined {
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
