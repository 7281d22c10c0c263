// De-duplication at the edge: Idempotency-Key requests (POST, PATCH) run once and their answer is
// replayed to retries; identical GETs in flight together go to the upstream once. Both are a step
// of the upstream pipeline (stage "dedup"), so a handler's calls are coalesced like proxied
// requests, and the step sees the body it can hand on and the upstream's own answer. Wiring only: keys, the coalescer, the idempotency flow and the stores live in
// their own files.
import Boom from '@hapi/boom';
import { definePlugin } from '../../contracts/plugin.ts';
import { pluginMetrics } from '../../contracts/pluginMetrics.ts';
import type { UpstreamExchange, UpstreamNext, UpstreamReply } from '../../contracts/upstream.ts';
import { createCoalescer } from './coalescer.ts';
import { createIdempotency, REPLAYED_HEADER } from './idempotency.ts';
import {
  callerScope,
  coalesceKey,
  parseIdempotencyKey,
  recordKey,
  requestFingerprint,
} from './requestKeys.ts';
import {
  dedupOptions,
  dedupRouteOptions,
  routeSettings,
  type DedupRouteOptions,
  type IdempotencySettings,
} from './schema.ts';
import { memoryStore } from './stores/memory.ts';
import { redisStore } from './stores/redis.ts';

export const PLUGIN_NAME = 'dedup';

type RouteSettings = ReturnType<typeof routeSettings>;

export default definePlugin({
  name: PLUGIN_NAME,
  version: '1.1.0',
  // Its stage ("dedup") is inside admission and outside retry and the breaker: a replayed or shared
  // answer never reaches retry or the breaker, and the body it reads is what retry replays.
  priority: 800,
  phases: ['handler'],
  options: dedupOptions,
  routeOptions: dedupRouteOptions,
  register(server, options) {
    const gateway = server.portico;
    const log = gateway.logger.child({ plugin: PLUGIN_NAME });

    // 1. The store of idempotency records: Redis when asked for (or there, with "auto"), else memory.
    if (options.store === 'redis' && !gateway.redis) {
      throw new Error('dedup: options.store "redis" needs a redis entry in the gateway config');
    }
    const store =
      options.store !== 'memory' && gateway.redis
        ? redisStore(gateway.redis, options.keyPrefix)
        : gateway.keep(`${PLUGIN_NAME}:memory-store:${options.memoryMaxSize}`, () =>
            memoryStore(options.memoryMaxSize),
          );
    log.info(
      { event: 'dedup_store', store: store.kind, onStoreFailure: options.onStoreFailure },
      'dedup store',
    );

    // 2. Metrics.
    const metric = pluginMetrics(gateway.metrics, PLUGIN_NAME);
    const idempotencyOutcomes = metric.counter(
      'idempotency_requests_total',
      'Requests with an Idempotency-Key, by route and outcome',
      ['route', 'outcome'],
    );
    const storeErrors = metric.counter(
      'store_errors_total',
      'Failed or timed-out calls to the idempotency store',
      ['store'],
    );
    const coalesced = metric.counter(
      'coalesced_requests_total',
      'GETs that waited on an identical one in flight: shared its answer, its error, or went alone',
      ['route', 'outcome'],
    );

    // 3. The two mechanisms, one of each per gateway.
    const idempotency = createIdempotency({
      store,
      onStoreFailure: options.onStoreFailure,
      storeTimeout: options.storeTimeout,
      onStoreError: (error) => {
        storeErrors.inc({ store: store.kind });
        log.warn(
          { event: 'dedup_store_error', store: store.kind, err: (error as Error).message },
          'idempotency store failed',
        );
      },
    });

    async function idempotent(
      exchange: UpstreamExchange,
      next: UpstreamNext,
      settings: IdempotencySettings,
    ): Promise<UpstreamReply> {
      const { routeId } = exchange;
      const header = exchange.headers[settings.header];
      if (header === undefined) {
        if (settings.required)
          throw Boom.badRequest(`this route needs an Idempotency-Key header on ${exchange.method}`);
        return next(exchange);
      }
      const key = parseIdempotencyKey(header);
      if (key === undefined)
        throw Boom.badRequest(
          'malformed Idempotency-Key: expected a quoted string of 1 to 255 printable characters',
        );

      // The body is fingerprinted, then replayed to the upstream (the client's stream is read once).
      let body: Buffer;
      try {
        body =
          exchange.body ??
          (exchange.streamed ? await exchange.readBody(settings.maxBodySize) : Buffer.alloc(0));
      } catch (error) {
        if ((error as { code?: string }).code === 'PORTICO_BODY_TOO_LARGE')
          throw Boom.entityTooLarge(
            `an Idempotency-Key request body may be at most ${settings.maxBodySize} bytes`,
          );
        throw error;
      }
      if (body.length > settings.maxBodySize)
        throw Boom.entityTooLarge(
          `an Idempotency-Key request body may be at most ${settings.maxBodySize} bytes`,
        );

      let outcome = 'executed';
      try {
        const reply = await idempotency.handle({
          key: recordKey(routeId, callerScope(exchange.caller), key),
          fingerprint: requestFingerprint(exchange.method, exchange.path, body),
          settings,
          execute: () => next({ ...exchange, body, streamed: false }),
        });
        if (reply.headers[REPLAYED_HEADER]) outcome = 'replayed';
        return reply;
      } catch (error) {
        const status = Boom.isBoom(error) ? error.output.statusCode : 0;
        outcome =
          status === 422
            ? 'mismatch'
            : status === 409
              ? 'conflict'
              : status === 503
                ? 'unavailable'
                : 'failed';
        throw error;
      } finally {
        idempotencyOutcomes.inc({ route: routeId, outcome });
        log.debug(
          { event: 'idempotency', requestId: exchange.requestId, route: routeId, outcome },
          'idempotency key handled',
        );
      }
    }

    // 4. The step, decided per route: settings resolved once, a coalescer of the route's own.
    gateway.upstreamStep<DedupRouteOptions>({
      stage: 'dedup',
      build(route, routeOptions) {
        const settings: RouteSettings | undefined = routeSettings(options, routeOptions);
        if (!settings || (!settings.idempotency && !settings.coalesce)) return undefined;
        const { routeId } = route;
        const coalescer = createCoalescer((outcome) => coalesced.inc({ route: routeId, outcome }));
        const { idempotency: idempotencySettings, coalesce } = settings;
        return (exchange, next) => {
          if (idempotencySettings?.methods.includes(exchange.method as 'POST'))
            return idempotent(exchange, next, idempotencySettings);
          // A GET with a body is rare and its body is not in the key: it goes alone.
          if (coalesce && exchange.method === 'GET' && !exchange.streamed && !exchange.body) {
            const key = coalesceKey(
              routeId,
              exchange.path,
              exchange.caller.userId ?? exchange.caller.apiKeyId,
              exchange.headers,
              coalesce.varyHeaders,
            );
            return coalescer.exchange(key, coalesce.maxResponseSize, () => next(exchange));
          }
          return next(exchange);
        };
      },
    });
  },
});
