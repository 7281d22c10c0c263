// One circuit breaker per upstream (opossum), a step of every route's upstream pipeline (proxied
// routes and handlers' calls alike): while a circuit is open the client gets 503 problem+json with
// Retry-After and the upstream is not called. Health checks that see an open upstream healthy
// again half-open its circuit at once. Wiring only: the breaker, what counts as a failure and the
// fallback shape live in their own files.
import Boom from '@hapi/boom';
import { definePlugin } from '../../contracts/plugin.ts';
import { pluginMetrics } from '../../contracts/pluginMetrics.ts';
import type { UpstreamExchange, UpstreamReply } from '../../contracts/upstream.ts';
import { unknownUpstreamIssues } from '../../contracts/upstreamOverrides.ts';
import type { BreakerState, CircuitBreakerApi, FallbackHandler } from './api.ts';
import { fallbackResponse } from './fallbackResponse.ts';
import { BreakerTimeout, isUpstreamFailure, UpstreamServerError, withDeadline } from './failures.ts';
import { circuitBreakerOptions, settingsFor } from './schema.ts';
import { createUpstreamBreaker, type UpstreamBreaker } from './upstreamBreaker.ts';

export type {
  BreakerState,
  CircuitBreakerApi,
  FallbackContext,
  FallbackHandler,
  FallbackResponse,
} from './api.ts';

export const PLUGIN_NAME = 'circuit-breaker';

/** Gauge values of portico_circuit_breaker_state. */
const STATE_VALUE: Record<BreakerState, number> = { closed: 0, 'half-open': 1, open: 2 };

export default definePlugin({
  name: PLUGIN_NAME,
  version: '1.1.0',
  // Its stage ("breaker") is the innermost of the protection stages: every attempt of retry is
  // counted here, and an open circuit's fast 503 (a Boom) reaches retry as an error it does not retry.
  priority: 600,
  phases: ['handler'],
  options: circuitBreakerOptions,
  validate: (options, facts) => unknownUpstreamIssues(options.upstreams, facts),
  register(server, options) {
    const gateway = server.portico;
    const log = gateway.logger.child({ plugin: PLUGIN_NAME });

    // 1. Metrics, in this gateway's registry (the same series across reloads).
    const metric = pluginMetrics(gateway.metrics, 'circuit_breaker');
    const breakers = new Map<string, { breaker: UpstreamBreaker; timeout: number | false }>();
    metric.gauge(
      'state',
      'State of each upstream circuit: 0 closed, 1 half-open, 2 open',
      ['upstream'],
      (gauge) => {
        for (const [upstream, { breaker }] of breakers) gauge.set({ upstream }, STATE_VALUE[breaker.state()]);
      },
    );
    const transitions = metric.counter(
      'transitions_total',
      'Circuit state changes by upstream and new state',
      ['upstream', 'to'],
    );
    const rejected = metric.counter('rejected_total', 'Calls answered at once because the circuit was open', [
      'upstream',
    ]);
    const failures = metric.counter(
      'failures_total',
      'Exchanges counted as failures: 5xx answers, connect errors, resets, timeouts',
      ['upstream'],
    );
    const fallbacksServed = metric.counter(
      'fallbacks_total',
      'Answers given by a registered fallback instead of the upstream',
      ['upstream', 'reason'],
    );

    // 2. One breaker per upstream, kept across reloads while its settings stay the same.
    const onTransition = (upstream: string, to: BreakerState) => {
      transitions.inc({ upstream, to });
      // The health check then probes it quickly, and its first good answer half-opens the circuit.
      if (to === 'open') gateway.suspectUpstream(upstream);
      log[to === 'open' ? 'warn' : 'info'](
        { event: 'circuit_state', upstream, state: to },
        `circuit of upstream "${upstream}" is ${to}`,
      );
    };
    for (const name of gateway.upstreams.keys()) {
      const settings = settingsFor(options, name);
      if (!settings) continue;
      const breaker = gateway.keep(
        `${PLUGIN_NAME}:${name}:${JSON.stringify(settings)}`,
        () => createUpstreamBreaker(name, settings, { onTransition }),
        (kept) => kept.shutdown(),
      );
      breakers.set(name, { breaker, timeout: settings.timeout });
    }
    // The health check saw the upstream answer again: let the next call probe it now.
    gateway.onUpstreamHealth((upstream, healthy) => {
      const entry = breakers.get(upstream);
      if (healthy && entry?.breaker.state() === 'open') entry.breaker.halfOpenNow();
    });

    const openError = (breaker: UpstreamBreaker): Boom.Boom => {
      const error = Boom.serverUnavailable(`the circuit of upstream "${breaker.upstream}" is open`, {
        upstream: breaker.upstream,
        state: breaker.state(),
      });
      error.output.headers['retry-after'] = String(breaker.retryAfterSeconds());
      return error;
    };

    // 3. Fallbacks other plugins register (server.plugins['circuit-breaker'].fallback).
    const fallbacks = new Map<string, FallbackHandler>();
    const tryFallback = async (
      upstream: string,
      reason: 'open' | 'failure',
      error: Error,
      exchange: UpstreamExchange,
    ): Promise<UpstreamReply | undefined> => {
      const handler = fallbacks.get(upstream);
      if (!handler) return undefined;
      try {
        const answer = await handler({ upstream, reason, error, exchange });
        if (!answer) return undefined;
        fallbacksServed.inc({ upstream, reason });
        return fallbackResponse(answer, reason === 'open' ? 'circuit-open' : 'upstream-failure');
      } catch (fallbackError) {
        log.error(
          { event: 'circuit_fallback_error', requestId: exchange.requestId, upstream, err: fallbackError },
          'fallback failed',
        );
        return undefined;
      }
    };

    // 4. The step: a route whose upstream has no breaker, or that turns the plugin off, has none.
    gateway.upstreamStep({
      stage: 'breaker',
      build(route) {
        const entry = breakers.get(route.upstream);
        if (!entry) return undefined;
        const { breaker, timeout } = entry;
        return async (exchange, next) => {
          try {
            return await breaker.fire(async () => {
              const reply = await withDeadline(next(exchange), timeout);
              if (reply.status >= 500) throw new UpstreamServerError(reply);
              return reply;
            });
          } catch (error) {
            // A 5xx counted as a failure still goes to the client (or to retry) as the upstream sent it.
            if (error instanceof UpstreamServerError) {
              failures.inc({ upstream: breaker.upstream });
              return error.reply;
            }
            if ((error as NodeJS.ErrnoException).code === 'EOPENBREAKER') {
              rejected.inc({ upstream: breaker.upstream });
              const fallback = await tryFallback(breaker.upstream, 'open', error as Error, exchange);
              if (fallback) return fallback;
              throw openError(breaker);
            }
            if (isUpstreamFailure(error)) {
              failures.inc({ upstream: breaker.upstream });
              const fallback = await tryFallback(breaker.upstream, 'failure', error as Error, exchange);
              if (fallback) return fallback;
            }
            if (error instanceof BreakerTimeout)
              throw Boom.gatewayTimeout(`upstream "${breaker.upstream}": ${error.message}`);
            throw error;
          }
        };
      },
    });

    // 5. The API other plugins use (a BFF's stale-data fallbacks, its view of the circuits).
    const api: CircuitBreakerApi = {
      fallback(upstream, handler) {
        if (!breakers.has(upstream))
          throw new Error(`circuit-breaker: no breaker for upstream "${upstream}"`);
        fallbacks.set(upstream, handler);
      },
      state: (upstream) => breakers.get(upstream)?.breaker.state(),
    };
    server.expose(api);
  },
});
