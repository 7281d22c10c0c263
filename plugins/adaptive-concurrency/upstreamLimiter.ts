// In-flight accounting for one upstream around a limit algorithm, as Netflix's SimpleLimiter:
// acquire a slot or be refused at once (no queue), then report how the exchange went.
// Critical requests get headroom above the limit, so they are shed last.
import type { LimitAlgorithm } from './limits/types.ts';

export type RequestPriority = 'critical' | 'normal';

export interface Slot {
  /** The upstream answered; `rttMs` is the time to its response headers. A 503/429 answer is a drop. */
  success(rttMs: number): void;
  /** A timeout or a shed answer: the algorithm takes it as congestion. */
  dropped(rttMs: number): void;
  /** The exchange says nothing about the upstream's latency (refused connection, client gone): just free the slot. */
  ignore(): void;
}

export class UpstreamLimiter {
  private inflightCount = 0;

  constructor(
    readonly algorithm: LimitAlgorithm,
    /** Share of the limit that critical requests may use on top of it (at least one slot). */
    private readonly criticalHeadroom: number,
  ) {}

  get limit(): number {
    return this.algorithm.limit;
  }

  get inflight(): number {
    return this.inflightCount;
  }

  /** The most exchanges of this priority that may be in flight. */
  capacity(priority: RequestPriority): number {
    const limit = this.algorithm.limit;
    return priority === 'critical' ? limit + Math.max(1, Math.ceil(limit * this.criticalHeadroom)) : limit;
  }

  tryAcquire(priority: RequestPriority): Slot | undefined {
    if (this.inflightCount >= this.capacity(priority)) return undefined;
    const inflight = ++this.inflightCount;
    let released = false;
    const release = (): boolean => {
      if (released) return false;
      released = true;
      this.inflightCount--;
      return true;
    };
    return {
      success: (rttMs) => {
        if (release()) this.algorithm.onSample({ rttMs, inflight, didDrop: false });
      },
      dropped: (rttMs) => {
        if (release()) this.algorithm.onSample({ rttMs, inflight, didDrop: true });
      },
      ignore: () => void release(),
    };
  }
}
