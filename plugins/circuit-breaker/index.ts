// One circuit breaker per upstream (opossum), wrapped around every upstream exchange: while a
// circuit is open the client gets 503 problem+json with Retry-After and the upstream is not called.
// Wiring only: the breaker, what counts as a failure and the fallback shape live in their own files.
import Boom from '@hapi/boom';
import type { Request } from '@hapi/hapi';
import type { IncomingMessage } from 'node:http';
import { Counter, Gauge } from 'prom-client';
import { definePlugin } from '../../contracts/plugin.ts';
import type { BreakerState, CircuitBreakerApi, FallbackHandler } from './api.ts';
import { fallbackResponse } from './fallbackResponse.ts';
import {
  ActionFailure,
  BreakerTimeout,
  isUpstreamFailure,
  UpstreamServerError,
  withDeadline,
} from './failures.ts';
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
  version: '1.0.0',
  // The innermost upstream interceptor: every attempt of the retry plugin (700) is counted here,
  // and an open circuit's fast 503 (a Boom) reaches retry as an error it does not retry.
  priority: 600,
  phases: ['handler'],
  options: circuitBreakerOptions,
  register(server, options) {
    const gateway = server.portico;
    const log = gateway.logger.child({ plugin: PLUGIN_NAME });
    for (const name of Object.keys(options.upstreams)) {
      if (!gateway.upstreams.has(name)) {
        throw new Error(
          `circuit-breaker: options.upstreams.${name}: no upstream named "${name}" (known: ${[...gateway.upstreams.keys()].join(', ')})`,
        );
      }
    }

    // 1. Metrics, in this gateway's registry.
    const breakers = new Map<string, { breaker: UpstreamBreaker; timeout: number | false }>();
    new Gauge({
      name: 'portico_circuit_breaker_state',
      help: 'State of each upstream circuit: 0 closed, 1 half-open, 2 open',
      labelNames: ['upstream'],
      registers: [gateway.metrics],
      collect() {
        for (const [upstream, { breaker }] of breakers) this.set({ upstream }, STATE_VALUE[breaker.state()]);
      },
    });
    const transitions = new Counter({
      name: 'portico_circuit_breaker_transitions_total',
      help: 'Circuit state changes by upstream and new state',
      labelNames: ['upstream', 'to'],
      registers: [gateway.metrics],
    });
    const rejected = new Counter({
      name: 'portico_circuit_breaker_rejected_total',
      help: 'Calls answered at once because the circuit was open',
      labelNames: ['upstream'],
      registers: [gateway.metrics],
    });
    const failures = new Counter({
      name: 'portico_circuit_breaker_failures_total',
      help: 'Exchanges counted as failures: 5xx answers, connect errors, timeouts',
      labelNames: ['upstream'],
      registers: [gateway.metrics],
    });
    const fallbacksServed = new Counter({
      name: 'portico_circuit_breaker_fallbacks_total',
      help: 'Answers given by a registered fallback instead of the upstream',
      labelNames: ['upstream', 'reason'],
      registers: [gateway.metrics],
    });

    // 2. One breaker per upstream, logged and counted on every transition.
    const onTransition = (upstream: string, to: BreakerState) => {
      transitions.inc({ upstream, to });
      const level = to === 'open' ? 'warn' : 'info';
      log[level](
        { event: 'circuit_state', upstream, state: to },
        `circuit of upstream "${upstream}" is ${to}`,
      );
    };
    for (const name of gateway.upstreams.keys()) {
      const settings = settingsFor(options, name);
      if (!settings) continue;
      breakers.set(name, {
        breaker: createUpstreamBreaker(name, settings, { onTransition }),
        timeout: settings.timeout,
      });
    }
    gateway.onStop(() => {
      for (const { breaker } of breakers.values()) breaker.shutdown();
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
      request: Request,
    ): Promise<IncomingMessage | undefined> => {
      const handler = fallbacks.get(upstream);
      if (!handler) return undefined;
      try {
        const answer = await handler({ upstream, reason, error, request });
        if (!answer) return undefined;
        fallbacksServed.inc({ upstream, reason });
        return fallbackResponse(answer, reason === 'open' ? 'circuit-open' : 'upstream-failure');
      } catch (fallbackError) {
        gateway
          .requestLogger(request)
          .error({ event: 'circuit_fallback_error', upstream, err: fallbackError }, 'fallback failed');
        return undefined;
      }
    };

    // 4. The interceptor: every exchange with an upstream that has a breaker passes through it.
    gateway.interceptUpstream(async (exchange, next) => {
      const entry = breakers.get(exchange.upstream);
      if (!entry || gateway.routeOptions(exchange.request.route, PLUGIN_NAME) === false) return next();
      const { breaker, timeout } = entry;
      try {
        return await breaker.fire(async () => {
          const response = await withDeadline(next(), timeout);
          if (response.statusCode !== undefined && response.statusCode >= 500)
            throw new UpstreamServerError(response);
          return response;
        });
      } catch (error) {
        // A 5xx counted as a failure still goes to the client (or to retry) as the upstream sent it.
        if (error instanceof UpstreamServerError) {
          failures.inc({ upstream: breaker.upstream });
          return error.response;
        }
        if ((error as NodeJS.ErrnoException).code === 'EOPENBREAKER') {
          rejected.inc({ upstream: breaker.upstream });
          const fallback = await tryFallback(breaker.upstream, 'open', error as Error, exchange.request);
          if (fallback) return fallback;
          throw openError(breaker);
        }
        if (isUpstreamFailure(error)) {
          failures.inc({ upstream: breaker.upstream });
          const fallback = await tryFallback(breaker.upstream, 'failure', error as Error, exchange.request);
          if (fallback) return fallback;
        }
        if (error instanceof BreakerTimeout)
          throw Boom.gatewayTimeout(`upstream "${breaker.upstream}": ${error.message}`);
        throw error;
      }
    });

    // 5. The API other plugins use (a BFF's service clients, its stale-data fallbacks).
    const api: CircuitBreakerApi = {
      fallback(upstream, handler) {
        if (!breakers.has(upstream))
          throw new Error(`circuit-breaker: no breaker for upstream "${upstream}"`);
        fallbacks.set(upstream, handler);
      },
      async run(upstream, action) {
        const entry = breakers.get(upstream);
        if (!entry) return action();
        try {
          // Any rejection counts against the upstream but a 4xx Boom (the service said no, it did not fail).
          return await entry.breaker.fire(() =>
            action().catch((error: unknown) => {
              throw Boom.isBoom(error) && error.output.statusCode < 500 ? error : new ActionFailure(error);
            }),
          );
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'EOPENBREAKER') {
            rejected.inc({ upstream });
            throw openError(entry.breaker);
          }
          if (error instanceof ActionFailure) {
            failures.inc({ upstream });
            throw error.original;
          }
          throw error;
        }
      },
      state: (upstream) => breakers.get(upstream)?.breaker.state(),
    };
    server.expose(api);
  },
});
