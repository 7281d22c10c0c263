// Retries of idempotent upstream exchanges on connect errors and 502/503/504, with exponential
// backoff and full jitter, bounded per upstream by a retry budget so retries never amplify an outage.
// One budget per upstream serves every route to it, proxied or a handler's calls.
// Wiring only: the budget, the backoff and the eligibility rules live in their own files.
import { setTimeout as sleep } from 'node:timers/promises';
import Boom from '@hapi/boom';
import { definePlugin } from '../../contracts/plugin.ts';
import { pluginMetrics } from '../../contracts/pluginMetrics.ts';
import type { UpstreamReply } from '../../contracts/upstream.ts';
import { unknownUpstreamIssues } from '../../contracts/upstreamOverrides.ts';
import { backoffDelay, retryAfterMs } from './backoff.ts';
import { createRetryBudget, type RetryBudget } from './retryBudget.ts';
import { isRetryable, type RetryEligibility } from './retryPolicy.ts';
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
  version: '1.1.0',
  // Its stage ("retry") sits outside the breaker's: each attempt is counted at the breaker, and an
  // open circuit's 503 (a Boom, not an upstream answer) is never retried; inside dedup, whose
  // buffered body it replays.
  priority: 700,
  phases: ['handler'],
  options: retryOptions,
  routeOptions: retryRouteOptions,
  validate: (options, facts) => unknownUpstreamIssues(options.upstreams, facts),
  register(server, options) {
    const gateway = server.portico;
    const log = gateway.logger.child({ plugin: PLUGIN_NAME });
    const metric = pluginMetrics(gateway.metrics, PLUGIN_NAME);
    const retries = metric.counter(
      'retries_total',
      'Retries sent, by upstream and what the failed attempt got (status or error code)',
      ['upstream', 'reason'],
    );
    const skipped = metric.counter(
      'skipped_total',
      'Failed attempts not retried: budget spent, or a body too large to replay',
      ['upstream', 'reason'],
    );

    // One budget per upstream, kept across reloads: a failing upstream cannot spend another's retries.
    const perUpstream = new Map<string, UpstreamRetry>();
    for (const name of gateway.upstreams.keys()) {
      const settings = settingsFor(options, name);
      if (!settings) continue;
      perUpstream.set(name, {
        settings,
        statuses: new Set(settings.statuses),
        errorCodes: new Set(settings.errorCodes),
        budget: gateway.keep(`${PLUGIN_NAME}:budget:${name}:${JSON.stringify(settings.budget)}`, () =>
          createRetryBudget(settings.budget),
        ),
      });
    }
    const eligibility: RetryEligibility = {
      methods: new Set(options.methods),
      idempotencyKeyHeader: options.idempotencyKeyHeader,
    };

    gateway.upstreamStep<RetryRouteOptions>({
      stage: 'retry',
      build(route, routeOptions) {
        const entry = perUpstream.get(route.upstream);
        if (!entry) return undefined;
        const { settings, budget, statuses, errorCodes } = entry;
        const maxAttempts = routeOptions?.maxAttempts ?? settings.maxAttempts;
        if (maxAttempts <= 1) return undefined;
        const { upstream } = route;

        return async (exchange, next) => {
          budget.recordRequest();
          if (!isRetryable(exchange.method, exchange.headers, eligibility)) return next(exchange);

          // 1. A streamed body can be sent once: read a small one to replay it, else send it once.
          let attempt = exchange;
          if (exchange.streamed) {
            const declared = Number(exchange.headers['content-length']);
            if (!(declared <= options.maxBodySize)) {
              skipped.inc({ upstream, reason: 'body' });
              return next(exchange);
            }
            attempt = { ...exchange, body: await exchange.readBody(options.maxBodySize), streamed: false };
          }

          // 2. Attempts: each failure is retried only while attempts and the budget last.
          for (let count = 1; ; count++) {
            let reason: string;
            try {
              const reply: UpstreamReply = await next(attempt);
              if (count >= maxAttempts || !statuses.has(reply.status)) return reply;
              // An upstream asking for a longer pause than our backoff ever waits gets it, not a retry.
              const asked = retryAfterMs(reply.headers['retry-after']);
              if (asked !== undefined && asked > settings.backoff.max) return reply;
              if (!budget.tryRetry()) {
                skipped.inc({ upstream, reason: 'budget' });
                return reply;
              }
              reply.body.resume();
              reason = String(reply.status);
            } catch (error) {
              const code = (error as NodeJS.ErrnoException).code;
              if (Boom.isBoom(error) || count >= maxAttempts || !code || !errorCodes.has(code)) throw error;
              if (!budget.tryRetry()) {
                skipped.inc({ upstream, reason: 'budget' });
                throw error;
              }
              reason = code;
            }
            retries.inc({ upstream, reason });
            log.debug(
              { event: 'retry', requestId: exchange.requestId, upstream, attempt: count + 1, reason },
              'retrying upstream exchange',
            );
            await sleep(backoffDelay(count, settings.backoff.base, settings.backoff.max));
          }
        };
      },
    });
  },
});
