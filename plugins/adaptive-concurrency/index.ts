// Load shedding: a concurrency limit per upstream that adapts to its measured latency (Gradient2 or
// Vegas, as Netflix's concurrency-limits and Envoy's adaptive concurrency filter), and process-level
// shedding when the gateway's own event loop lags. Over a limit, a request gets 503 at once.
// Wiring only: the algorithms, the in-flight accounting and the lag decision live in their own files.
import Boom from '@hapi/boom';
import type { RequestRoute } from '@hapi/hapi';
import { performance } from 'node:perf_hooks';
import { Counter, Gauge } from 'prom-client';
import { definePlugin } from '../../contracts/plugin.ts';
import { shedForLag, startLagMonitor, type LagMonitor } from './lagShedding.ts';
import { Gradient2Limit } from './limits/gradient2Limit.ts';
import type { LimitAlgorithm } from './limits/types.ts';
import { VegasLimit } from './limits/vegasLimit.ts';
import { pathMatcher } from './pathMatcher.ts';
import {
  adaptiveConcurrencyOptions,
  adaptiveConcurrencyRouteOptions,
  type AdaptiveConcurrencyOptions,
  type AdaptiveConcurrencyRouteOptions,
} from './schema.ts';
import { UpstreamLimiter, type RequestPriority } from './upstreamLimiter.ts';

export const PLUGIN_NAME = 'adaptive-concurrency';

/** Upstream answers that say "too busy": the algorithm takes them as drops. */
const SHED_STATUSES = new Set([429, 503]);
const TIMEOUT_CODES = new Set(['PORTICO_CONNECT_TIMEOUT', 'PORTICO_RESPONSE_TIMEOUT']);

function createAlgorithm(options: AdaptiveConcurrencyOptions): LimitAlgorithm {
  const bounds = {
    initialLimit: options.initialLimit,
    minLimit: options.minLimit,
    maxLimit: options.maxLimit,
  };
  return options.algorithm === 'vegas'
    ? new VegasLimit({ ...bounds, smoothing: 1, probeMultiplier: options.probeMultiplier })
    : new Gradient2Limit({
        ...bounds,
        smoothing: options.smoothing,
        tolerance: options.tolerance,
        longWindow: options.longWindow,
        queueSize: options.queueSize,
      });
}

function overloaded(detail: string, retryAfter: number): Boom.Boom {
  const error = Boom.serverUnavailable(detail);
  error.output.headers['Retry-After'] = String(retryAfter);
  return error;
}

export default definePlugin({
  name: PLUGIN_NAME,
  version: '1.0.0',
  // Before auth and rate limiting (cheapest refusal first); outermost around the upstream exchange,
  // as Envoy's filter sits before the router: one slot covers a whole exchange, retries included.
  priority: 1500,
  phases: ['onRequest', 'handler'],
  options: adaptiveConcurrencyOptions,
  routeOptions: adaptiveConcurrencyRouteOptions,
  register(server, options) {
    const gateway = server.portico;
    const log = gateway.logger.child({ plugin: PLUGIN_NAME });

    // 1. One limiter per upstream, made here: two gateways in one process share nothing.
    const limiters = new Map<string, UpstreamLimiter>(
      [...gateway.upstreams.keys()].map((name) => [
        name,
        new UpstreamLimiter(createAlgorithm(options), options.criticalHeadroom),
      ]),
    );

    // 2. Priority: critical routes and paths are shed last; false on a route turns shedding off there.
    const isCriticalPath = pathMatcher(options.criticalPaths);
    const priorityOf = (route: RequestRoute | null, path: string): RequestPriority | undefined => {
      const routeOptions = route
        ? gateway.routeOptions<AdaptiveConcurrencyRouteOptions>(route, PLUGIN_NAME)
        : undefined;
      if (routeOptions === false) return undefined;
      return routeOptions?.critical || isCriticalPath(path) ? 'critical' : 'normal';
    };

    // 3. Metrics, read from the limiters when scraped.
    new Gauge({
      name: 'portico_adaptive_concurrency_limit',
      help: 'Current concurrency limit per upstream',
      labelNames: ['upstream'],
      registers: [gateway.metrics],
      collect() {
        for (const [upstream, limiter] of limiters) this.set({ upstream }, limiter.limit);
      },
    });
    new Gauge({
      name: 'portico_adaptive_concurrency_inflight',
      help: 'Exchanges in flight per upstream',
      labelNames: ['upstream'],
      registers: [gateway.metrics],
      collect() {
        for (const [upstream, limiter] of limiters) this.set({ upstream }, limiter.inflight);
      },
    });
    const rejected = new Counter({
      name: 'portico_adaptive_concurrency_rejected_total',
      help: 'Requests answered 503 because their upstream was at its concurrency limit',
      labelNames: ['upstream', 'priority'],
      registers: [gateway.metrics],
    });
    const shed = new Counter({
      name: 'portico_adaptive_concurrency_shed_total',
      help: 'Requests answered 503 because the event loop lagged past the threshold of their priority',
      labelNames: ['priority'],
      registers: [gateway.metrics],
    });

    // 4. Process-level shedding on event-loop lag, decided in onRequest, before any other work.
    let monitor: LagMonitor | undefined;
    const { eventLoop } = options;
    if (eventLoop) {
      const thresholds = { maxLagMs: eventLoop.maxLag, criticalMaxLagMs: eventLoop.criticalMaxLag };
      const lagGauge = new Gauge({
        name: 'portico_adaptive_concurrency_event_loop_lag_seconds',
        help: 'p99 event-loop delay of the last measurement interval',
        registers: [gateway.metrics],
      });
      let lagging = false;
      monitor = startLagMonitor(eventLoop.interval, (lagMs) => {
        lagGauge.set(lagMs / 1000);
        const now = lagMs > thresholds.maxLagMs;
        if (now !== lagging) {
          lagging = now;
          if (now)
            log.warn(
              { event: 'load_shedding_started', lagMs: Math.round(lagMs) },
              'event loop lags: shedding load',
            );
          else log.info({ event: 'load_shedding_stopped', lagMs: Math.round(lagMs) }, 'event loop recovered');
        }
      });
      const active = monitor;
      gateway.onStop(() => active.stop());

      server.ext('onRequest', (request, h) => {
        const lagMs = active.lagMs;
        if (lagMs <= thresholds.maxLagMs) return h.continue;
        // The route is not matched yet in onRequest: look it up only when shedding is on the table.
        const route = request.server.match(request.method as 'get', request.path);
        const priority = priorityOf(route, request.path);
        if (!priority || !shedForLag(priority, lagMs, thresholds)) return h.continue;
        shed.inc({ priority });
        throw overloaded('the gateway is overloaded; retry later', options.retryAfter);
      });
    }

    // 5. Per-upstream limit around every exchange; the latency is the time to the response headers.
    gateway.interceptUpstream(async (exchange, next) => {
      const limiter = limiters.get(exchange.upstream);
      const priority = priorityOf(exchange.request.route, exchange.request.path);
      if (!limiter || !priority) return next();
      const slot = limiter.tryAcquire(priority);
      if (!slot) {
        rejected.inc({ upstream: exchange.upstream, priority });
        gateway
          .requestLogger(exchange.request)
          .debug(
            { event: 'concurrency_limited', upstream: exchange.upstream, limit: limiter.limit },
            'upstream at its concurrency limit',
          );
        throw overloaded(
          `upstream "${exchange.upstream}" is at its concurrency limit; retry later`,
          options.retryAfter,
        );
      }
      const started = performance.now();
      try {
        const response = await next();
        const rttMs = performance.now() - started;
        if (SHED_STATUSES.has(response.statusCode ?? 0)) slot.dropped(rttMs);
        else slot.success(rttMs);
        return response;
      } catch (error) {
        if (TIMEOUT_CODES.has((error as { code?: string }).code ?? ''))
          slot.dropped(performance.now() - started);
        else slot.ignore();
        throw error;
      }
    });

    // 6. The state for ops, on the admin listener.
    gateway.addAdminRoutes([
      {
        method: 'GET',
        path: '/adaptive-concurrency',
        handler: () => ({
          algorithm: options.algorithm,
          eventLoop: monitor
            ? {
                lagMs: monitor.lagMs,
                maxLagMs: eventLoop && eventLoop.maxLag,
                criticalMaxLagMs: eventLoop && eventLoop.criticalMaxLag,
              }
            : false,
          upstreams: Object.fromEntries(
            [...limiters].map(([name, limiter]) => [
              name,
              {
                limit: limiter.limit,
                inflight: limiter.inflight,
                criticalCapacity: limiter.capacity('critical'),
                ...limiter.algorithm.describe(),
              },
            ]),
          ),
        }),
      },
    ]);
  },
});
