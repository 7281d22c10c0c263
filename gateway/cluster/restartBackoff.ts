// How long to wait before replacing a worker that died: doubling with each death in a recent window,
// so a worker that crashes at once does not fork in a hot loop, and one that crashed long ago
// comes back quickly.
export interface RestartBackoffPolicy {
  /** Delay after the first death in the window. */
  baseMs: number;
  maxMs: number;
  /** Deaths older than this no longer count. */
  windowMs: number;
}

export const DEFAULT_RESTART_BACKOFF: RestartBackoffPolicy = { baseMs: 100, maxMs: 10_000, windowMs: 60_000 };

export interface RestartBackoff {
  /** Records a death now and returns how long to wait before forking its replacement. */
  next(): number;
}

export function createRestartBackoff(
  policy: RestartBackoffPolicy = DEFAULT_RESTART_BACKOFF,
  now: () => number = Date.now,
): RestartBackoff {
  const deaths: number[] = [];
  return {
    next() {
      const at = now();
      while (deaths.length > 0 && at - deaths[0]! >= policy.windowMs) deaths.shift();
      deaths.push(at);
      return Math.min(policy.maxMs, policy.baseMs * 2 ** (deaths.length - 1));
    },
  };
}
