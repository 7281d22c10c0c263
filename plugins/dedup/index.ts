// De-duplication at the edge: Idempotency-Key requests (POST, PATCH) run once and their answer is
// replayed to retries; identical GETs in flight together go to the upstream once. Both wrap the
// upstream exchange (an interceptor), where the body can be handed on and the upstream's own
// answer captured. Wiring only: keys, the coalescer, the idempotency flow and the stores live in
// their own files.
import type { IncomingMessage } from 'node:http';
import Boom from '@hapi/boom';
import type { RequestRoute } from '@hapi/hapi';
import { Counter } from 'prom-client';
import { definePlugin, type UpstreamExchange } from '../../contracts/plugin.ts';
import { createCoalescer } from './coalescer.ts';
import { createIdempotency, REPLAYED_HEADER } from './idempotency.ts';
import { BodyTooLarge, readBoundedBody } from './readBody.ts';
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
  version: '1.0.0',
  // The outermost upstream interceptor: a replayed or shared answer never reaches retry (700) or
  // the breaker (600), and the body it buffers is what retry replays.
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
        : memoryStore(options.memoryMaxSize);
    log.info(
      { event: 'dedup_store', store: store.kind, onStoreFailure: options.onStoreFailure },
      'dedup store',
    );

    // 2. Metrics.
    const idempotencyOutcomes = new Counter({
      name: 'portico_dedup_idempotency_requests_total',
      help: 'Requests with an Idempotency-Key, by route and outcome',
      labelNames: ['route', 'outcome'],
      registers: [gateway.metrics],
    });
    const storeErrors = new Counter({
      name: 'portico_dedup_store_errors_total',
      help: 'Failed or timed-out calls to the idempotency store',
      labelNames: ['store'],
      registers: [gateway.metrics],
    });
    const coalesced = new Counter({
      name: 'portico_dedup_coalesced_requests_total',
      help: 'GETs that waited on an identical one in flight: shared its answer, its error, or went alone',
      labelNames: ['route', 'outcome'],
      registers: [gateway.metrics],
    });

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
    const coalescers = new Map<string, ReturnType<typeof createCoalescer>>();
    const coalescerFor = (routeId: string) => {
      let coalescer = coalescers.get(routeId);
      if (!coalescer) {
        coalescer = createCoalescer((outcome) => coalesced.inc({ route: routeId, outcome }));
        coalescers.set(routeId, coalescer);
      }
      return coalescer;
    };

    // Settings are resolved once per route object, not per request.
    const perRoute = new WeakMap<RequestRoute, RouteSettings | undefined>();
    const settingsFor = (route: RequestRoute): RouteSettings | undefined => {
      if (perRoute.has(route)) return perRoute.get(route);
      const own = gateway.routeOptions<DedupRouteOptions>(route, PLUGIN_NAME);
      const settings = own === false ? undefined : routeSettings(options, own);
      perRoute.set(route, settings);
      return settings;
    };

    async function idempotent(
      exchange: UpstreamExchange,
      next: (options?: { body?: Buffer }) => Promise<IncomingMessage>,
      settings: IdempotencySettings,
    ): Promise<IncomingMessage> {
      const { request } = exchange;
      const routeId = request.plugins.portico?.routeId ?? request.route.path;
      const header = request.raw.req.headers[settings.header];
      if (header === undefined) {
        if (settings.required)
          throw Boom.badRequest(`this route needs an Idempotency-Key header on ${exchange.method}`);
        return next();
      }
      const key = parseIdempotencyKey(header);
      if (key === undefined)
        throw Boom.badRequest(
          'malformed Idempotency-Key: expected a quoted string of 1 to 255 printable characters',
        );

      // The body is fingerprinted, then replayed to the upstream (the client's stream is read once).
      const declared = Number(request.raw.req.headers['content-length']);
      if (declared > settings.maxBodySize)
        throw Boom.entityTooLarge(
          `an Idempotency-Key request body may be at most ${settings.maxBodySize} bytes`,
        );
      let body: Buffer;
      try {
        body = exchange.body ?? (await readBoundedBody(request.raw.req, settings.maxBodySize));
      } catch (error) {
        if (error instanceof BodyTooLarge)
          throw Boom.entityTooLarge(
            `an Idempotency-Key request body may be at most ${settings.maxBodySize} bytes`,
          );
        throw error;
      }

      const target = request.url.pathname + request.url.search;
      let outcome = 'executed';
      try {
        const response = await idempotency.handle({
          key: recordKey(routeId, callerScope(request), key),
          fingerprint: requestFingerprint(exchange.method, target, body),
          settings,
          execute: () => next({ body }),
        });
        if (response.headers[REPLAYED_HEADER]) outcome = 'replayed';
        return response;
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
        gateway
          .requestLogger(request)
          .debug({ event: 'idempotency', route: routeId, outcome }, 'idempotency key handled');
      }
    }

    gateway.interceptUpstream((exchange, next) => {
      const settings = settingsFor(exchange.request.route);
      if (!settings) return next();
      if (settings.idempotency?.methods.includes(exchange.method as 'POST')) {
        return idempotent(exchange, next, settings.idempotency);
      }
      const { headers } = exchange.request.raw.req;
      // A GET with a body is rare and its body is not in the key: it goes alone.
      const withBody =
        headers['transfer-encoding'] !== undefined || Number(headers['content-length'] ?? 0) > 0;
      if (settings.coalesce && exchange.method === 'GET' && !withBody) {
        const { request } = exchange;
        const routeId = request.plugins.portico?.routeId ?? request.route.path;
        const sub = (request.auth?.credentials as Record<string, unknown> | null | undefined)?.['sub'];
        const key = coalesceKey(
          routeId,
          request.url.pathname + request.url.search,
          typeof sub === 'string' ? sub : undefined,
          request.raw.req.headers,
          settings.coalesce.varyHeaders,
        );
        return coalescerFor(routeId).exchange(key, settings.coalesce.maxResponseSize, () => next());
      }
      return next();
    });
  },
});
