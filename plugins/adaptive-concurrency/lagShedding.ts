// Process-level shedding: when the event loop lags, the gateway itself is the bottleneck, and every
// request it takes makes every other one slower. Normal requests are shed past `maxLag`; critical
// ones (health checks, token refresh, routes marked critical) only past `criticalMaxLag`.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { RequestPriority } from './upstreamLimiter.ts';

export interface LagThresholds {
  maxLagMs: number;
  criticalMaxLagMs: number;
}

/** Whether a request of `priority` is shed at a measured lag. Pure. */
export function shedForLag(priority: RequestPriority, lagMs: number, thresholds: LagThresholds): boolean {
  return lagMs > (priority === 'critical' ? thresholds.criticalMaxLagMs : thresholds.maxLagMs);
}

export interface LagMonitor {
  /** p99 event-loop delay of the last completed interval, in ms. */
  readonly lagMs: number;
  stop(): void;
}

/** Samples the event-loop delay (perf_hooks) and publishes its p99 once per interval. */
export function startLagMonitor(
  intervalMs: number,
  onInterval: (lagMs: number) => void = () => {},
): LagMonitor {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  let lagMs = 0;
  const timer = setInterval(() => {
    lagMs = histogram.count > 0 ? histogram.percentile(99) / 1e6 : 0;
    histogram.reset();
    onInterval(lagMs);
  }, intervalMs);
  timer.unref();
  return {
    get lagMs() {
      return lagMs;
    },
    stop() {
      clearInterval(timer);
      histogram.disable();
    },
  };
}
