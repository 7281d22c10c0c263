// Rate limits by client IP, user, API key, route or header, counted in memory or in Redis (shared
// by every instance), with RFC 9457 429s and the IETF RateLimit fields. Wiring only: the policy
// keys, the stores and the header fields live in their own files.
import Boom from '@hapi/boom';
import type { Request } from '@hapi/hapi';
import { definePlugin, type ConfigIssue } from '../../contracts/plugin.ts';
import { pluginMetrics } from '../../contracts/pluginMetrics.ts';
import { BEFORE_AUTH, policyTarget, type RequestFacts } from './policyTarget.ts';
import { rateLimitField, rateLimitPolicyField, resetSeconds, type PolicyState } from './rateLimitHeaders.ts';
import {
  rateLimitOptions,
  rateLimitRouteOptions,
  type RateLimitPolicy,
  type RateLimitRouteOptions,
} from './schema.ts';
import { memoryStore } from './stores/memory.ts';
import { redisStore } from './stores/redis.ts';
import type { LimiterStore } from './stores/types.ts';

export const PLUGIN_NAME = 'rate-limit';

/** What this plugin leaves on `request.plugins['rate-limit']`: the state of every policy that counted the request. */
export interface RateLimitRequestState {
  states: PolicyState[];
}

declare module '@hapi/hapi' {
  interface PluginsStates {
    'rate-limit'?: RateLimitRequestState;
  }
}

interface PlannedPolicy {
  policy: RateLimitPolicy;
  /** A route's own policy: counted per route. */
  routeScoped: boolean;
}

interface RoutePlan {
  beforeAuth: PlannedPolicy[];
  afterAuth: PlannedPolicy[];
}

const NO_LIMITS: RoutePlan = { beforeAuth: [], afterAuth: [] };

export default definePlugin({
  name: PLUGIN_NAME,
  version: '1.0.0',
  // As Kong's rate-limiting: after the auth plugins (1450), before the rest.
  priority: 910,
  phases: ['onPreAuth', 'onPostAuth', 'onPreResponse'],
  options: rateLimitOptions,
  routeOptions: rateLimitRouteOptions,
  validate(options, facts) {
    const issues: ConfigIssue[] = [];
    for (const route of facts.routes) {
      const own = route.options as RateLimitRouteOptions | false | undefined;
      if (!own) continue;
      const clash = policyNameClash(options.policies, own);
      if (clash) {
        const index = own.policies.findIndex((policy) =>
          options.policies.some((global) => global.name === policy.name),
        );
        issues.push({ path: `${route.path}.plugins.${PLUGIN_NAME}.policies[${index}].name`, message: clash });
      }
    }
    return issues;
  },
  register(server, options) {
    const gateway = server.portico;
    const log = gateway.logger.child({ plugin: PLUGIN_NAME });

    // 1. The store: Redis when asked for (or available, with "auto"), else this process's memory.
    if (options.store === 'redis' && !gateway.redis) {
      throw new Error('rate-limit: store "redis" needs a redis entry in the gateway config');
    }
    // Kept across reloads: counters (and the insurance limiter's) go on where they were.
    const redis = gateway.redis;
    const store: LimiterStore =
      options.store !== 'memory' && redis
        ? gateway.keep(
            `${PLUGIN_NAME}:redis:${JSON.stringify([options.keyPrefix, options.storeTimeout, options.onStoreFailure, options.insuranceDivisor])}`,
            () =>
              redisStore(redis, {
                keyPrefix: options.keyPrefix,
                timeoutMs: options.storeTimeout,
                insurance: options.onStoreFailure === 'insurance',
                insuranceDivisor: options.insuranceDivisor,
              }),
          )
        : gateway.keep(`${PLUGIN_NAME}:memory:${options.keyPrefix}`, () => memoryStore(options.keyPrefix));
    log.info(
      { event: 'rate_limit_store', store: store.kind, onStoreFailure: options.onStoreFailure },
      'rate-limit store',
    );

    // 2. Metrics, in this gateway's registry.
    const metric = pluginMetrics(gateway.metrics, PLUGIN_NAME);
    const decisions = metric.counter(
      'decisions_total',
      'Rate-limit decisions per policy: allowed, limited, or store_failure (with onStoreFailure allow|deny)',
      ['policy', 'decision', 'store'],
    );
    const degraded = metric.gauge(
      'store_degraded',
      '1 while the shared store fails and requests are counted by the fallback (insurance, allow or deny)',
    );
    degraded.set(0);
    let storeDegraded = false;
    const storeHealth = (healthy: boolean, error?: unknown) => {
      if (healthy === !storeDegraded) return;
      storeDegraded = !healthy;
      degraded.set(healthy ? 0 : 1);
      if (healthy)
        log.info(
          { event: 'rate_limit_store_recovered', store: store.kind },
          'rate-limit store answers again',
        );
      else
        log.warn(
          {
            event: 'rate_limit_store_failed',
            store: store.kind,
            onStoreFailure: options.onStoreFailure,
            err: errorText(error),
          },
          'rate-limit store failed; fallback in use',
        );
    };

    // 3. Per-route plans, decided once per route (hapi's route.js way), not per request.
    const globalPlan = planOf(options.policies, [], true);
    const planFor = gateway.perRoute<RateLimitRouteOptions, RoutePlan>(PLUGIN_NAME, (routeOptions, route) => {
      if (routeOptions === false) return NO_LIMITS;
      if (!routeOptions) return globalPlan;
      const clash = policyNameClash(options.policies, routeOptions);
      // Config routes are checked by validate(); a plugin's own handler route is checked here.
      if (clash) throw new Error(`rate-limit: route ${route?.path}: ${clash}`);
      return planOf(options.policies, routeOptions.policies, routeOptions.inherit);
    });

    // 4. Counting: every applicable policy is charged; the request passes only if it fits all of them.
    const enforce = async (request: Request, planned: PlannedPolicy[]): Promise<void> => {
      const context = request.plugins.portico!;
      const facts: RequestFacts = {
        clientIp: context.clientIp,
        routeId: context.routeId,
        header: (name) => headerValue(request.headers[name] as string | string[] | undefined),
        credentials: request.auth.credentials as Record<string, unknown> | undefined,
      };
      const targets = planned.flatMap(({ policy, routeScoped }) => {
        const target = policyTarget(policy, facts, routeScoped ? context.routeId : '');
        return target ? [target] : [];
      });
      if (targets.length === 0) return;

      const outcomes = await Promise.all(
        targets.map((target) => store.consume(target.key, target.points, target.per)),
      );
      const state = (request.plugins[PLUGIN_NAME] ??= { states: [] });
      let limitedBy: PolicyState | undefined;
      let storeDown = false;
      for (const [index, outcome] of outcomes.entries()) {
        const target = targets[index]!;
        if (outcome.kind === 'store-failure') {
          storeHealth(false, outcome.error);
          decisions.inc({ policy: target.policy, decision: 'store_failure', store: store.kind });
          if (options.onStoreFailure === 'deny') storeDown = true;
          continue;
        }
        storeHealth(
          !outcome.fromInsurance,
          outcome.fromInsurance ? 'answered by the insurance limiter' : undefined,
        );
        decisions.inc({
          policy: target.policy,
          decision: outcome.kind,
          store: outcome.fromInsurance ? 'insurance' : store.kind,
        });
        const policyState = {
          policy: target.policy,
          points: target.points,
          per: target.per,
          remaining: outcome.remaining,
          resetMs: outcome.resetMs,
        };
        state.states.push(policyState);
        // Several limits exceeded: the client must wait for the last of them to reset.
        if (outcome.kind === 'limited' && (!limitedBy || policyState.resetMs > limitedBy.resetMs))
          limitedBy = policyState;
      }

      if (storeDown) {
        const error = Boom.serverUnavailable('rate limits cannot be checked right now');
        error.output.headers['Retry-After'] = '1';
        throw error;
      }
      if (limitedBy) {
        gateway
          .requestLogger(request)
          .debug({ event: 'rate_limited', policy: limitedBy.policy }, 'rate limit exceeded');
        const error = Boom.tooManyRequests(`rate limit "${limitedBy.policy}" exceeded`);
        error.output.headers['Retry-After'] = String(resetSeconds(limitedBy.resetMs));
        throw error;
      }
    };

    // IP, route and header limits before auth: a flood of unauthenticated requests is cut before it
    // costs a token verification. User and API-key limits need credentials, so they come after auth.
    server.ext('onPreAuth', async (request, h) => {
      const plan = planFor(request.route);
      if (plan.beforeAuth.length > 0) await enforce(request, plan.beforeAuth);
      return h.continue;
    });
    server.ext('onPostAuth', async (request, h) => {
      const plan = planFor(request.route);
      if (plan.afterAuth.length > 0 && request.auth.isAuthenticated) await enforce(request, plan.afterAuth);
      return h.continue;
    });

    if (options.headers) {
      gateway.responseHeaders(() => (request, headers) => {
        const states = request.plugins[PLUGIN_NAME]?.states;
        if (!states || states.length === 0) return;
        headers['ratelimit-policy'] = rateLimitPolicyField(states);
        headers['ratelimit'] = rateLimitField(states);
      });
    }
  },
});

/** A route policy named like a global one it inherits: the RateLimit fields would mix them up. */
function policyNameClash(globals: RateLimitPolicy[], own: RateLimitRouteOptions): string | undefined {
  if (!own.inherit) return undefined;
  const clash = own.policies.find((policy) => globals.some((global) => global.name === policy.name));
  return (
    clash &&
    `has a policy named "${clash.name}" like a global policy; rename it (names label the RateLimit fields)`
  );
}

function planOf(globals: RateLimitPolicy[], own: RateLimitPolicy[], inherit: boolean): RoutePlan {
  const planned: PlannedPolicy[] = [
    ...(inherit ? globals.map((policy) => ({ policy, routeScoped: false })) : []),
    ...own.map((policy) => ({ policy, routeScoped: true })),
  ];
  return {
    beforeAuth: planned.filter(({ policy }) => BEFORE_AUTH.has(policy.by)),
    afterAuth: planned.filter(({ policy }) => !BEFORE_AUTH.has(policy.by)),
  };
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

function errorText(error: unknown): string | undefined {
  if (error === undefined) return undefined;
  return error instanceof Error ? error.message : String(error);
}
