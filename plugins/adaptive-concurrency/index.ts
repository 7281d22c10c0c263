// Load shedding: a concurrency limit per upstream that adapts to its measured latency (Gradient2 or
// Vegas, as Netflix's concurrency-limits and Envoy's adaptive concurrency filter) that counts every
// exchange with it, proxied or a handler's call (the first stage of the upstream pipeline), and process-level
// shedding when the gateway's own event loop lags. Over a limit, a request gets 503 at once.
// Wiring only: the algorithms, the in-flight accounting and the lag decision live in their own files.
import Boom from '@hapi/boom';
import type { RequestRoute } from '@hapi/hapi';
import { performance } from 'node:perf_hooks';
import { definePlugin } from '../../contracts/plugin.ts';
import { pluginMetrics } from '../../contracts/pluginMetrics.ts';
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

    // 1. One limiter per upstream, kept across reloads (per gateway: two gateways in one process share nothing).
    const algorithmKey = JSON.stringify([
      options.algorithm,
      options.initialLimit,
      options.minLimit,
      options.maxLimit,
    ]);
    const limiters = new Map<string, UpstreamLimiter>(
      [...gateway.upstreams.keys()].map((name) => [
        name,
        gateway.keep(
          `${PLUGIN_NAME}:${name}:${algorithmKey}:${options.criticalHeadroom}`,
          () => new UpstreamLimiter(createAlgorithm(options), options.criticalHeadroom),
        ),
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
    const metric = pluginMetrics(gateway.metrics, PLUGIN_NAME);
    metric.gauge('limit', 'Current concurrency limit per upstream', ['upstream'], (gauge) => {
      for (const [upstream, limiter] of limiters) gauge.set({ upstream }, limiter.limit);
    });
    metric.gauge('inflight', 'Exchanges in flight per upstream', ['upstream'], (gauge) => {
      for (const [upstream, limiter] of limiters) gauge.set({ upstream }, limiter.inflight);
    });
    const rejected = metric.counter(
      'rejected_total',
      'Requests answered 503 because their upstream was at its concurrency limit',
      ['upstream', 'priority'],
    );
    const shed = metric.counter(
      'shed_total',
      'Requests answered 503 because the event loop lagged past the threshold of their priority',
      ['priority'],
    );

    // 4. Process-level shedding on event-loop lag, decided in onRequest, before any other work.
    let monitor: LagMonitor | undefined;
    const { eventLoop } = options;
    if (eventLoop) {
      const thresholds = { maxLagMs: eventLoop.maxLag, criticalMaxLagMs: eventLoop.criticalMaxLag };
      const lagGauge = metric.gauge(
        'event_loop_lag_seconds',
        'p99 event-loop delay of the last measurement interval',
      );
      let lagging = false;
      // Measured from when the build starts serving: the loop is busy loading the gateway before
      // that, and a lag from start-up would shed (and warn about) the first requests.
      server.ext('onPostStart', () => {
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
            else
              log.info({ event: 'load_shedding_stopped', lagMs: Math.round(lagMs) }, 'event loop recovered');
          }
        });
      });
      gateway.onStop(() => monitor?.stop());

      server.ext('onRequest', (request, h) => {
        const lagMs = monitor?.lagMs ?? 0;
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
    gateway.upstreamStep<AdaptiveConcurrencyRouteOptions>({
      stage: 'admission',
      build(route, routeOptions) {
        const limiter = limiters.get(route.upstream);
        if (!limiter) return undefined;
        const { upstream } = route;
        // Decided per route; only critical paths inside a route need a look at each request's path.
        const routePriority: RequestPriority | undefined = routeOptions?.critical ? 'critical' : undefined;
        return async (exchange, next) => {
          const priority =
            routePriority ??
            (exchange.clientPath && isCriticalPath(exchange.clientPath) ? 'critical' : 'normal');
          const slot = limiter.tryAcquire(priority);
          if (!slot) {
            rejected.inc({ upstream, priority });
            log.debug(
              { event: 'concurrency_limited', requestId: exchange.requestId, upstream, limit: limiter.limit },
              'upstream at its concurrency limit',
            );
            throw overloaded(
              `upstream "${upstream}" is at its concurrency limit; retry later`,
              options.retryAfter,
            );
          }
          const started = performance.now();
          try {
            const reply = await next(exchange);
            const rttMs = performance.now() - started;
            if (SHED_STATUSES.has(reply.status)) slot.dropped(rttMs);
            else slot.success(rttMs);
            return reply;
          } catch (error) {
            if (TIMEOUT_CODES.has((error as { code?: string }).code ?? ''))
              slot.dropped(performance.now() - started);
            else slot.ignore();
            throw error;
          }
        };
      },
    });

    // 6. The state for ops, on the admin listener.
    gateway.addAdminRoutes([
      {
        method: 'GET',
        path: '/adaptive-concurrency',
        handler: () => ({
          algorithm: options.algorithm,
          eventLoop: eventLoop
            ? {
                lagMs: monitor?.lagMs ?? 0,
                maxLagMs: eventLoop.maxLag,
                criticalMaxLagMs: eventLoop.criticalMaxLag,
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
