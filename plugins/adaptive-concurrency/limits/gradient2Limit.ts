// Gradient2, after Netflix concurrency-limits (Gradient2Limit.java): the limit follows the ratio of a
// long-term average RTT (the baseline) to the current RTT. While the current RTT stays near the
// baseline the limit grows by `queueSize` per sample; when the RTT rises the gradient (clamped to
// [0.5, 1]) shrinks it. A smoothing factor damps each step, and samples taken while fewer than half
// the limit are in flight change nothing (the upstream is not the bottleneck then: "app limited").

import type { LimitAlgorithm, LimitSample } from './types.ts';

export interface Gradient2Options {
  initialLimit: number;
  minLimit: number;
  maxLimit: number;
  /** 0..1: how much of each new estimate is taken (Netflix default 0.2). */
  smoothing: number;
  /** How far the RTT may rise above the baseline before the limit shrinks (1.5 = 50%). */
  tolerance: number;
  /** Samples in the baseline's exponential average (Netflix default 600). */
  longWindow: number;
  /** How much the limit may grow per sample while latency is at the baseline (Netflix default 4). */
  queueSize: number;
}

/** An exponential moving average that starts as a plain mean of its first `warmup` samples. */
class ExpAvg {
  private value = 0;
  private sum = 0;
  private count = 0;
  constructor(
    private readonly window: number,
    private readonly warmup: number,
  ) {}
  add(sample: number): number {
    if (this.count < this.warmup) {
      this.count++;
      this.sum += sample;
      this.value = this.sum / this.count;
    } else {
      const factor = 2 / (this.window + 1);
      this.value = this.value * (1 - factor) + sample * factor;
    }
    return this.value;
  }
  scale(by: number): void {
    this.value *= by;
  }
  get current(): number {
    return this.value;
  }
}

export class Gradient2Limit implements LimitAlgorithm {
  readonly name = 'gradient2';
  private estimated: number;
  private readonly longRtt: ExpAvg;
  private lastRtt = 0;

  constructor(private readonly options: Gradient2Options) {
    this.estimated = clamp(options.initialLimit, options.minLimit, options.maxLimit);
    this.longRtt = new ExpAvg(options.longWindow, 10);
  }

  get limit(): number {
    return Math.max(1, Math.floor(this.estimated));
  }

  onSample({ rttMs, inflight }: LimitSample): number {
    const { smoothing, tolerance, minLimit, maxLimit, queueSize } = this.options;
    const shortRtt = Math.max(rttMs, Number.EPSILON);
    this.lastRtt = shortRtt;
    const longRtt = this.longRtt.add(shortRtt);

    // Latency back to normal after a long overload: pull the baseline down instead of waiting for the average.
    if (longRtt / shortRtt > 2) this.longRtt.scale(0.9);

    // Don't move the limit while the upstream is not what holds requests back.
    if (inflight < this.estimated / 2) return this.limit;

    // Never shrink by more than half on one sample, so one outlier cannot collapse the limit.
    const gradient = clamp((tolerance * longRtt) / shortRtt, 0.5, 1);
    const target = this.estimated * gradient + queueSize;
    this.estimated = clamp(this.estimated * (1 - smoothing) + target * smoothing, minLimit, maxLimit);
    return this.limit;
  }

  describe(): Record<string, number> {
    return {
      limit: this.limit,
      estimated: this.estimated,
      longRttMs: this.longRtt.current,
      lastRttMs: this.lastRtt,
    };
  }
}

export function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}
