// Retries of idempotent upstream exchanges on connect errors and 502/503/504, with exponential
// backoff and full jitter, bounded per upstream by a retry budget so retries never amplify an outage.
// Wiring only: the budget, the backoff and the eligibility rules live in their own files.
import { setTimeout as sleep } from 'node:timers/promises';
import Boom from '@hapi/boom';
import { Counter } from 'prom-client';
import { definePlugin } from '../../contracts/plugin.ts';
import { backoffDelay, retryAfterMs } from './backoff.ts';
import { readBody } from './readBody.ts';
import { createRetryBudget, type RetryBudget } from './retryBudget.ts';
import { hasBody, isRetryable, type RetryEligibility } from './retryPolicy.ts';
import {
  retryOptions,
  retryRouteOptions,
  settingsFor,
  type RetryRouteOptions,
  type UpstreamRetrySettings,
} from './schema.ts';

export const PLUGIN_NAME = 'retry';

interface UpstreamRetry {
  settings: UpstreamRetrySettings;
  statuses: ReadonlySet<number>;
  errorCodes: ReadonlySet<string>;
  budget: RetryBudget;
}

export default definePlugin({
  name: PLUGIN_NAME,
  version: '1.0.0',
  // Outside the circuit breaker (600): each attempt is counted at the breaker, and an open
  // circuit's 503 (a Boom, not an upstream answer) is never retried. Inside dedup (800), which
  // hands it the buffered body of an Idempotency-Key request.
  priority: 700,
  phases: ['handler'],
  options: retryOptions,
  routeOptions: retryRouteOptions,
  register(server, options) {
    const gateway = server.portico;
    for (const name of Object.keys(options.upstreams)) {
      if (!gateway.upstreams.has(name)) {
        throw new Error(
          `retry: options.upstreams.${name}: no upstream named "${name}" (known: ${[...gateway.upstreams.keys()].join(', ')})`,
        );
      }
    }

    const retries = new Counter({
      name: 'portico_retry_retries_total',
      help: 'Retries sent, by upstream and what the failed attempt got (status or error code)',
      labelNames: ['upstream', 'reason'],
      registers: [gateway.metrics],
    });
    const skipped = new Counter({
      name: 'portico_retry_skipped_total',
      help: 'Failed attempts not retried: budget spent, or a body too large to replay',
      labelNames: ['upstream', 'reason'],
      registers: [gateway.metrics],
    });

    // One budget per upstream: a failing upstream cannot spend another's retries.
    const perUpstream = new Map<string, UpstreamRetry>();
    for (const name of gateway.upstreams.keys()) {
      const settings = settingsFor(options, name);
      if (!settings) continue;
      perUpstream.set(name, {
        settings,
        statuses: new Set(settings.statuses),
        errorCodes: new Set(settings.errorCodes),
        budget: createRetryBudget(settings.budget),
      });
    }
    const eligibility: RetryEligibility = {
      methods: new Set(options.methods),
      idempotencyKeyHeader: options.idempotencyKeyHeader,
    };

    gateway.interceptUpstream(async (exchange, next) => {
      const entry = perUpstream.get(exchange.upstream);
      const { request, upstream } = exchange;
      const routeOptions = gateway.routeOptions<RetryRouteOptions>(request.route, PLUGIN_NAME);
      if (!entry || routeOptions === false) return next();
      const { settings, budget } = entry;
      budget.recordRequest();
      const maxAttempts = routeOptions?.maxAttempts ?? settings.maxAttempts;
      if (maxAttempts <= 1 || !isRetryable(exchange.method, request.raw.req.headers, eligibility))
        return next();

      // 1. A streamed body can be sent once: buffer a small one to replay it, else send it once.
      let body = exchange.body;
      if (!body && hasBody(request.raw.req.headers)) {
        const declared = Number(request.raw.req.headers['content-length']);
        if (!(declared <= options.maxBodySize)) {
          skipped.inc({ upstream, reason: 'body' });
          return next();
        }
        body = await readBody(request.raw.req);
      }
      const attemptOnce = () => next(body ? { body } : undefined);

      // 2. Attempts: each failure is retried only while attempts and the budget last.
      for (let attempt = 1; ; attempt++) {
        let reason: string;
        try {
          const response = await attemptOnce();
          if (attempt >= maxAttempts || !entry.statuses.has(response.statusCode ?? 0)) return response;
          // An upstream asking for a longer pause than our backoff ever waits gets it, not a retry.
          const asked = retryAfterMs(response.headers['retry-after']);
          if (asked !== undefined && asked > settings.backoff.max) return response;
          if (!budget.tryRetry()) {
            skipped.inc({ upstream, reason: 'budget' });
            return response;
          }
          response.resume();
          reason = String(response.statusCode);
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code;
          if (Boom.isBoom(error) || attempt >= maxAttempts || !code || !entry.errorCodes.has(code))
            throw error;
          if (!budget.tryRetry()) {
            skipped.inc({ upstream, reason: 'budget' });
            throw error;
          }
          reason = code;
        }
        retries.inc({ upstream, reason });
        gateway
          .requestLogger(request)
          .debug({ event: 'retry', upstream, attempt: attempt + 1, reason }, 'retrying upstream exchange');
        await sleep(backoffDelay(attempt, settings.backoff.base, settings.backoff.max));
      }
    });
  },
});
