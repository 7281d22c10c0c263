// Vegas, after Netflix concurrency-limits (VegasLimit.java) and TCP Vegas: estimate the queue at the
// upstream as limit × (1 − minRTT / RTT); grow fast while it is below log10(limit), grow slowly below
// alpha, shrink above beta, and shrink on every drop. The minimum RTT is re-probed now and then
// (after a jittered number of samples) so a permanently slower upstream becomes the new baseline.

import { clamp } from './gradient2Limit.ts';
import type { LimitAlgorithm, LimitSample } from './types.ts';

export interface VegasOptions {
  initialLimit: number;
  minLimit: number;
  maxLimit: number;
  /** 0..1; Netflix's Vegas default is 1 (no smoothing). */
  smoothing: number;
  /** Re-probe the minimum RTT after about probeMultiplier × limit samples (Netflix default 30). */
  probeMultiplier: number;
  /** Source of the probe jitter in [0, 1); injectable so tests are deterministic. */
  random?: () => number;
}

const log10 = (limit: number) => Math.max(1, Math.floor(Math.log10(limit)));

export class VegasLimit implements LimitAlgorithm {
  readonly name = 'vegas';
  private estimated: number;
  private rttNoLoad = 0;
  private probeCount = 0;
  private probeJitter = 0;
  private readonly random: () => number;

  constructor(private readonly options: VegasOptions) {
    this.estimated = clamp(options.initialLimit, options.minLimit, options.maxLimit);
    this.random = options.random ?? Math.random;
    this.resetProbeJitter();
  }

  get limit(): number {
    return Math.max(1, Math.floor(this.estimated));
  }

  onSample({ rttMs, inflight, didDrop }: LimitSample): number {
    const rtt = Math.max(rttMs, Number.EPSILON);
    this.probeCount++;
    if (this.probeJitter * this.options.probeMultiplier * this.estimated <= this.probeCount) {
      this.resetProbeJitter();
      this.probeCount = 0;
      this.rttNoLoad = rtt;
      return this.limit;
    }
    if (this.rttNoLoad === 0 || rtt < this.rttNoLoad) {
      this.rttNoLoad = rtt;
      return this.limit;
    }

    const limit = Math.floor(this.estimated);
    const queueSize = Math.ceil(this.estimated * (1 - this.rttNoLoad / rtt));
    let next: number;
    if (didDrop) next = this.estimated - log10(limit);
    else if (inflight * 2 < this.estimated) return this.limit;
    else if (queueSize <= log10(limit)) next = this.estimated + 6 * log10(limit);
    else if (queueSize < 3 * log10(limit)) next = this.estimated + log10(limit);
    else if (queueSize > 6 * log10(limit)) next = this.estimated - log10(limit);
    else return this.limit;

    next = clamp(next, this.options.minLimit, this.options.maxLimit);
    this.estimated = (1 - this.options.smoothing) * this.estimated + this.options.smoothing * next;
    return this.limit;
  }

  describe(): Record<string, number> {
    return { limit: this.limit, estimated: this.estimated, minRttMs: this.rttNoLoad };
  }

  private resetProbeJitter(): void {
    this.probeJitter = 0.5 + this.random() * 0.5;
  }
}
