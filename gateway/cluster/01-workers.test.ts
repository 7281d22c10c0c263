// No server: the --workers flag and the restart backoff.
import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { MAX_WORKERS, parseWorkers } from './parseWorkers.ts';
import { createRestartBackoff } from './restartBackoff.ts';

describe('parseWorkers', () => {
  it('defaults to one process', () => {
    expect(parseWorkers(undefined)).toEqual({ workers: 1 });
  });

  it('takes a whole number and "auto" (one per core)', () => {
    expect(parseWorkers('6')).toEqual({ workers: 6 });
    expect(parseWorkers('auto')).toEqual({ workers: availableParallelism() });
  });

  it.each(['0', '-1', '1.5', 'two', '', ' 2', String(MAX_WORKERS + 1)])(
    'refuses %j with the flag named',
    (flag) => {
      const result = parseWorkers(flag);
      expect(result).toHaveProperty('error');
      expect((result as { error: string }).error).toMatch(/^--workers: expected a whole number/);
    },
  );
});

describe('restart backoff', () => {
  const policy = { baseMs: 100, maxMs: 1000, windowMs: 60_000 };

  it('doubles with each death in the window, up to the cap', () => {
    let now = 0;
    const backoff = createRestartBackoff(policy, () => now);
    const delays = [];
    for (let death = 0; death < 6; death++) {
      delays.push(backoff.next());
      now += 1000;
    }
    expect(delays).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it('forgets deaths older than the window', () => {
    let now = 0;
    const backoff = createRestartBackoff(policy, () => now);
    backoff.next();
    backoff.next();
    expect(backoff.next()).toBe(400);
    now += 60_000;
    expect(backoff.next()).toBe(100);
  });
});
