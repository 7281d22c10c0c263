// `--workers N`: how many gateway processes share the public listener.
import { availableParallelism } from 'node:os';

export const MAX_WORKERS = 256;

/** The worker count from the flag: absent → 1, `auto` → one per available core, else a whole number. */
export function parseWorkers(flag: string | undefined): { workers: number } | { error: string } {
  if (flag === undefined) return { workers: 1 };
  if (flag === 'auto') return { workers: availableParallelism() };
  const workers = /^\d+$/.test(flag) ? Number(flag) : Number.NaN;
  if (!Number.isInteger(workers) || workers < 1 || workers > MAX_WORKERS)
    return { error: `--workers: expected a whole number from 1 to ${MAX_WORKERS} or "auto", got "${flag}"` };
  return { workers };
}
