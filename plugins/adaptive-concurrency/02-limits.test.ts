// The algorithms fed latency samples by hand: deterministic, no clock, no server.
import { describe, expect, it } from 'vitest';
import { pathMatcher } from './pathMatcher.ts';
import { shedForLag } from './lagShedding.ts';
import { Gradient2Limit, type Gradient2Options } from './limits/gradient2Limit.ts';
import type { LimitAlgorithm, LimitSample } from './limits/types.ts';
import { VegasLimit } from './limits/vegasLimit.ts';
import { UpstreamLimiter } from './upstreamLimiter.ts';

const gradient2 = (over: Partial<Gradient2Options> = {}) =>
  new Gradient2Limit({
    initialLimit: 20,
    minLimit: 2,
    maxLimit: 200,
    smoothing: 0.2,
    tolerance: 1.5,
    longWindow: 600,
    queueSize: 4,
    ...over,
  });

/** Feeds `count` samples at `rttMs` with the upstream saturated (in flight = the current limit). */
function feed(algorithm: LimitAlgorithm, count: number, rttMs: number, inflight?: number): number[] {
  const limits: number[] = [];
  for (let i = 0; i < count; i++)
    limits.push(algorithm.onSample({ rttMs, inflight: inflight ?? algorithm.limit, didDrop: false }));
  return limits;
}

describe('Gradient2Limit', () => {
  it('grows while latency stays at its baseline and the upstream is saturated', () => {
    const limit = gradient2();
    const limits = feed(limit, 30, 10);
    expect(limits.at(-1)!).toBeGreaterThan(20);
    expect(limits).toEqual([...limits].sort((a, b) => a - b));
  });

  it('does not move while fewer than half the limit are in flight (app limited)', () => {
    const limit = gradient2();
    expect(feed(limit, 30, 10, 9)).toEqual(Array(30).fill(20));
    expect(feed(limit, 30, 1000, 9)).toEqual(Array(30).fill(20));
  });

  it('shrinks when latency rises tenfold, by at most half a smoothing step per sample, down to a floor', () => {
    const limit = gradient2({ initialLimit: 40 });
    feed(limit, 20, 10, 40);
    const before = limit.limit;
    const after = feed(limit, 40, 100);
    expect(after.at(-1)!).toBeLessThan(before / 2);
    // One sample never cuts more than smoothing × 50% (plus rounding): an outlier cannot collapse the limit.
    let previous = before;
    for (const value of after) {
      expect(value).toBeGreaterThanOrEqual(Math.floor(previous * 0.9));
      previous = value;
    }
    // At gradient 0.5 a step is L → 0.9 L + 0.2 × queueSize, whose fixed point is 8: it never falls below.
    const long = feed(limit, 300, 100);
    expect(Math.min(...long)).toBe(8);
    // As the baseline average absorbs the new latency, that latency becomes the new normal and the limit grows again.
    expect(long.at(-1)!).toBeGreaterThan(8);
  });

  it('tolerates latency up to `tolerance` times its baseline without shrinking', () => {
    const limit = gradient2();
    feed(limit, 20, 10);
    const before = limit.limit;
    expect(feed(limit, 10, 14).at(-1)!).toBeGreaterThanOrEqual(before);
  });

  it('grows back when latency returns to its baseline', () => {
    const limit = gradient2({ initialLimit: 40 });
    feed(limit, 20, 10, 40);
    feed(limit, 40, 100);
    const shrunk = limit.limit;
    expect(feed(limit, 60, 10).at(-1)!).toBeGreaterThan(shrunk);
  });

  it('stays within minLimit and maxLimit', () => {
    const small = gradient2({ initialLimit: 5, minLimit: 5, queueSize: 0 });
    feed(small, 10, 10);
    expect(feed(small, 50, 1000).at(-1)).toBe(5);
    const capped = gradient2({ maxLimit: 25 });
    expect(feed(capped, 100, 10).at(-1)).toBe(25);
  });
});

describe('VegasLimit', () => {
  // Jitter source fixed at its top: the minimum RTT is re-probed after probeMultiplier × limit samples.
  const vegas = (initialLimit = 20) =>
    new VegasLimit({
      initialLimit,
      minLimit: 1,
      maxLimit: 200,
      smoothing: 1,
      probeMultiplier: 30,
      random: () => 0.999,
    });

  it('takes the first and every lower sample as the no-load RTT without moving the limit', () => {
    const limit = vegas();
    expect(limit.onSample({ rttMs: 10, inflight: 20, didDrop: false })).toBe(20);
    expect(limit.onSample({ rttMs: 8, inflight: 20, didDrop: false })).toBe(20);
    expect(limit.describe()['minRttMs']).toBe(8);
  });

  it('grows by beta while there is no queue (RTT at its minimum)', () => {
    const limit = vegas();
    limit.onSample({ rttMs: 10, inflight: 20, didDrop: false });
    // log10(20) → 1: beta = 6.
    expect(limit.onSample({ rttMs: 10, inflight: 20, didDrop: false })).toBe(26);
  });

  it('shrinks when latency rises tenfold (estimated queue above beta) and on every drop', () => {
    const limit = vegas(50);
    limit.onSample({ rttMs: 10, inflight: 50, didDrop: false });
    expect(limit.onSample({ rttMs: 100, inflight: 50, didDrop: false })).toBe(49);
    expect(feed(limit, 20, 100).at(-1)).toBe(29);
    expect(limit.onSample({ rttMs: 10, inflight: 1, didDrop: true })).toBe(28);
  });

  it('re-probes the minimum RTT after about probeMultiplier × limit samples, so a slower normal becomes the baseline', () => {
    const limit = vegas(2);
    limit.onSample({ rttMs: 10, inflight: 2, didDrop: false });
    for (let i = 0; i < 100 && limit.describe()['minRttMs'] === 10; i++)
      limit.onSample({ rttMs: 100, inflight: 2, didDrop: false });
    expect(limit.describe()['minRttMs']).toBe(100);
  });
});

describe('UpstreamLimiter', () => {
  class Recording implements LimitAlgorithm {
    readonly name = 'recording';
    samples: LimitSample[] = [];
    constructor(public limit: number) {}
    onSample(sample: LimitSample): number {
      this.samples.push(sample);
      return this.limit;
    }
    describe() {
      return { limit: this.limit };
    }
  }

  it('refuses at once past the limit and frees a slot on every outcome, once', () => {
    const algorithm = new Recording(2);
    const limiter = new UpstreamLimiter(algorithm, 0);
    const first = limiter.tryAcquire('normal')!;
    const second = limiter.tryAcquire('normal')!;
    expect(limiter.tryAcquire('normal')).toBeUndefined();
    first.success(12);
    first.success(12);
    expect(limiter.inflight).toBe(1);
    second.dropped(500);
    expect(limiter.inflight).toBe(0);
    const third = limiter.tryAcquire('normal')!;
    third.ignore();
    expect(limiter.inflight).toBe(0);
    // In flight as counted when each exchange started (itself included); ignored exchanges give no sample.
    expect(algorithm.samples).toEqual([
      { rttMs: 12, inflight: 1, didDrop: false },
      { rttMs: 500, inflight: 2, didDrop: true },
    ]);
  });

  it('gives critical requests headroom above the limit (at least one slot)', () => {
    const limiter = new UpstreamLimiter(new Recording(8), 0.25);
    for (let i = 0; i < 8; i++) expect(limiter.tryAcquire('normal')).toBeDefined();
    expect(limiter.tryAcquire('normal')).toBeUndefined();
    expect(limiter.tryAcquire('critical')).toBeDefined();
    expect(limiter.tryAcquire('critical')).toBeDefined();
    expect(limiter.tryAcquire('critical')).toBeUndefined();
    expect(new UpstreamLimiter(new Recording(2), 0).capacity('critical')).toBe(3);
  });
});

describe('shedding by priority', () => {
  const thresholds = { maxLagMs: 500, criticalMaxLagMs: 2000 };

  it('sheds normal requests past maxLag and critical ones only past criticalMaxLag', () => {
    expect(shedForLag('normal', 400, thresholds)).toBe(false);
    expect(shedForLag('normal', 600, thresholds)).toBe(true);
    expect(shedForLag('critical', 600, thresholds)).toBe(false);
    expect(shedForLag('critical', 2500, thresholds)).toBe(true);
  });

  it('matches critical paths exactly or with * for any characters', () => {
    const critical = pathMatcher(['/healthz', '/*/healthz', '/api/v1/auth/refresh']);
    expect(critical('/healthz')).toBe(true);
    expect(critical('/api/v1/programs/healthz')).toBe(true);
    expect(critical('/api/v1/auth/refresh')).toBe(true);
    expect(critical('/api/v1/auth/refresh/x')).toBe(false);
    expect(critical('/api/v1/programs')).toBe(false);
    expect(pathMatcher([])('/healthz')).toBe(false);
  });
});
