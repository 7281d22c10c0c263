// response-cache: GET answers of the routes that opt in, kept in memory or in Redis, keyed by path,
// query, the answer's Vary headers and, on private routes, the caller; Cache-Control honoured both
// ways, ETag/If-None-Match answered, purged by successful writes and by the admin listener.
import type Boom from '@hapi/boom';
import type { Request, RequestRoute, ResponseObject, ResponseToolkit } from '@hapi/hapi';
import { Readable } from 'node:stream';
import { definePlugin } from '../../contracts/plugin.ts';
import { pluginMetrics } from '../../contracts/pluginMetrics.ts';
import { cacheAdminRoutes } from './adminRoutes.ts';
import { callerIdentity } from './callerIdentity.ts';
import { baseKey, entryKey, indexPath, varyNames, writtenPaths } from './cacheKey.ts';
import { clientWish, noneMatch, storeDecision } from './cacheControl.ts';
import { storedHeaders } from './storedHeaders.ts';
import { readUpTo } from '../../contracts/readUpTo.ts';
import { responseCacheOptions, responseCacheRouteOptions, type ResponseCacheRouteOptions } from './schema.ts';
import { memoryStore } from './stores/memory.ts';
import { redisStore } from './stores/redis.ts';
import type { CachedAnswer, CacheStore } from './stores/types.ts';

export const PLUGIN_NAME = 'response-cache';

interface RoutePlan {
  ttlMs: number;
  vary: string[];
  /** Auth optional or required: entries are the caller's own. */
  private: boolean;
}

interface CacheRequestState {
  plan: RoutePlan;
  /** The path entries are filed under for purges. */
  path: string;
  base: string;
  perCaller: boolean;
  /** The request headers as the client sent them (the Vary values), before other plugins changed them. */
  headers: Record<string, unknown>;
  startedAt: number;
  /** The client's If-None-Match, kept back from the upstream so the cache gets a whole answer to store. */
  ifNoneMatch?: string;
  hit: boolean;
}

declare module '@hapi/hapi' {
  interface PluginsStates {
    'response-cache'?: CacheRequestState;
  }
}

const WRITES = new Set(['post', 'put', 'patch', 'delete']);
// What RFC 9111 lets a cache keep without more ado (heuristically cacheable statuses).
const CACHEABLE_STATUS = new Set([200, 203, 204, 300, 301, 404, 410]);

export default definePlugin({
  name: PLUGIN_NAME,
  version: '1.0.0',
  // After rate limits and auth (a hit is still counted and still needs its credentials); on the
  // way out before transform (870), which reshapes hits and misses alike.
  priority: 880,
  phases: ['onPreHandler', 'onPreResponse'],
  options: responseCacheOptions,
  routeOptions: responseCacheRouteOptions,
  register(server, options) {
    const gateway = server.portico;
    const log = gateway.logger.child({ plugin: PLUGIN_NAME });

    // 1. The store.
    const maxTtlMs = Math.max(options.ttl, 24 * 3600 * 1000);
    if (options.store === 'redis' && !gateway.redis)
      throw new Error('response-cache: store "redis" needs a redis entry in the gateway config');
    const store: CacheStore =
      options.store !== 'memory' && gateway.redis
        ? redisStore(gateway.redis, { keyPrefix: options.keyPrefix, maxTtlMs })
        : gateway.keep(`${PLUGIN_NAME}:memory:${options.maxEntries}:${options.maxBytes}:${maxTtlMs}`, () =>
            memoryStore({ maxEntries: options.maxEntries, maxBytes: options.maxBytes, maxTtlMs }),
          );
    log.info({ event: 'response_cache_store', store: store.kind }, 'response-cache store');

    // 2. Metrics.
    const metrics = pluginMetrics(gateway.metrics, PLUGIN_NAME);
    const lookups = metrics.counter(
      'lookups_total',
      'Cacheable requests by route and result (hit, miss, bypass)',
      ['route', 'result'],
    );
    const stores = metrics.counter('stores_total', 'Answers after a miss: stored, or why not', [
      'route',
      'result',
    ]);
    const purged = metrics.counter('purged_total', 'Entries purged, by reason (write, admin)', ['reason']);
    const storeErrors = metrics.counter(
      'store_errors_total',
      'Store calls that failed (served from the upstream)',
    );
    metrics.gauge('entries', 'Entries held (memory store only)', [], (gauge) => {
      const size = store.size();
      if (size !== undefined) gauge.set(size);
    });
    const storeFailed = (request: Request | undefined, error: unknown) => {
      storeErrors.inc();
      (request ? gateway.requestLogger(request) : log).warn(
        { event: 'response_cache_store_error', store: store.kind, err: (error as Error).message },
        'response-cache store failed; answering from the upstream',
      );
    };

    gateway.addAdminRoutes(
      cacheAdminRoutes(async (prefix) => {
        const count = await store.purgePrefix(prefix, Date.now());
        purged.inc({ reason: 'admin' }, count);
        log.info({ event: 'response_cache_purged', prefix, entries: count }, 'cache purged by the admin');
        return count;
      }, log),
    );

    // 3. Per-route plans, fixed when the route is added. Cached routes answer through hapi's
    // response path, where the answer's body can be kept.
    gateway.readsResponses<ResponseCacheRouteOptions>((_route, own) => Boolean(own));
    const plans = new WeakMap<RequestRoute, RoutePlan>();
    server.events.on('route', (route) => {
      const own = gateway.routeOptions<ResponseCacheRouteOptions>(route, PLUGIN_NAME);
      if (!own) return;
      const auth = route.settings.auth as { mode?: string } | false | undefined;
      plans.set(route, {
        ttlMs: own.ttl ?? options.ttl,
        vary: own.vary,
        private: Boolean(auth && auth.mode),
      });
    });

    // 4. The way in: a fresh entry is the answer, and the upstream is never called.
    server.ext('onPreHandler', async (request, h) => {
      if (request.method !== 'get' && request.method !== 'head') return h.continue;
      const plan = plans.get(request.route);
      if (!plan) return h.continue;
      const routeId = request.plugins.portico!.routeId;
      const headers = request.headers as Record<string, unknown>;
      const wish = clientWish(headers['cache-control']);
      // On a route without auth, a request that carries credentials may get an answer made for them.
      const caller = plan.private
        ? callerIdentity(request.auth.isAuthenticated, request.auth.credentials)
        : headers.authorization === undefined
          ? 'anonymous'
          : undefined;
      if (wish.bypass || caller === undefined) {
        lookups.inc({ route: routeId, result: 'bypass' });
        return h.continue;
      }
      const path = indexPath(request.path);
      const base = baseKey(request.path, request.url.search, caller);
      const state: CacheRequestState = {
        plan,
        path,
        base,
        perCaller: caller !== 'anonymous',
        headers: { ...headers },
        startedAt: Date.now(),
        hit: false,
      };
      request.plugins[PLUGIN_NAME] = state;

      if (!wish.refresh) {
        let entry: CachedAnswer | undefined;
        try {
          const vary = await store.variesOn(path, base);
          if (vary) entry = await store.read(path, entryKey(base, vary, headers));
        } catch (error) {
          storeFailed(request, error);
        }
        const now = Date.now();
        if (
          entry &&
          entry.expiresAt > now &&
          (wish.maxAgeMs === undefined || now - entry.storedAt <= wish.maxAgeMs)
        ) {
          state.hit = true;
          lookups.inc({ route: routeId, result: 'hit' });
          return hitResponse(h, entry, headers['if-none-match'], now).takeover();
        }
      }
      lookups.inc({ route: routeId, result: 'miss' });
      // Asked unconditionally, so the answer can be stored; the client's condition is answered here.
      if (typeof headers['if-none-match'] === 'string') state.ifNoneMatch = headers['if-none-match'];
      delete headers['if-none-match'];
      delete headers['if-modified-since'];
      return h.continue;
    });

    // 5. The way out: purge on writes; store a miss's answer.
    server.ext('onPreResponse', async (request, h) => {
      const response = request.response as ResponseObject | Boom.Boom;
      const failed = 'isBoom' in response && response.isBoom;
      if (options.purgeOnWrite && WRITES.has(request.method) && !failed) {
        const status = (response as ResponseObject).statusCode;
        if (status >= 200 && status < 300) await purgeWrite(request);
      }
      const state = request.plugins[PLUGIN_NAME];
      if (!state || state.hit || failed) return h.continue;
      const answer = response as ResponseObject;
      answer.headers['x-cache'] = 'MISS';
      if (request.method === 'head') return h.continue;
      return storeMiss(request, h, state, answer);
    });

    const purgeWrite = async (request: Request) => {
      try {
        const count = await store.purgePaths(writtenPaths(request.path), Date.now());
        purged.inc({ reason: 'write' }, count);
      } catch (error) {
        storeFailed(request, error);
      }
    };

    const storeMiss = async (
      request: Request,
      h: ResponseToolkit,
      state: CacheRequestState,
      answer: ResponseObject,
    ) => {
      const routeId = request.plugins.portico!.routeId;
      const skip = (result: string) => {
        stores.inc({ route: routeId, result });
        return answerConditionally(h, answer, state.ifNoneMatch, false);
      };
      const source: unknown = answer.source;
      // The upstream's own headers when it is a proxied answer: never what other plugins added for this caller.
      const upstreamHeaders = (isIncoming(source) ? source.headers : answer.headers) as Record<
        string,
        unknown
      >;
      if (!CACHEABLE_STATUS.has(answer.statusCode)) return skip('status');
      if (upstreamHeaders['set-cookie'] !== undefined) return skip('set_cookie');
      const vary = varyNames(upstreamHeaders.vary, state.plan.vary);
      if (!vary) return skip('vary_star');
      const decision = storeDecision(upstreamHeaders['cache-control'], state.plan.ttlMs, state.perCaller);
      if (!decision.store) return skip(decision.reason.replace(/[-=]/g, '_'));

      let body: Buffer;
      const headers = storedHeaders(upstreamHeaders);
      if (Buffer.isBuffer(source)) body = source;
      else if (typeof source === 'string') body = Buffer.from(source);
      else if (source instanceof Readable) {
        const read = await readUpTo(source, options.maxEntrySize);
        if (!read.complete) {
          stores.inc({ route: routeId, result: 'too_large' });
          return rebuilt(h, answer, read.rest, true);
        }
        body = read.body;
      } else if (source === null || source === undefined) body = Buffer.alloc(0);
      else {
        // A handler's object: stored as the JSON hapi would send.
        body = Buffer.from(JSON.stringify(source));
        headers['content-type'] ??= 'application/json; charset=utf-8';
      }
      if (body.length > options.maxEntrySize) {
        stores.inc({ route: routeId, result: 'too_large' });
        return answerConditionally(h, rebuilt(h, answer, body), state.ifNoneMatch);
      }

      const now = Date.now();
      try {
        // A write to this path since the upstream was asked: its answer may be older than the write.
        if (await store.purgedSince([state.path], state.startedAt))
          stores.inc({ route: routeId, result: 'purged' });
        else {
          const entry: CachedAnswer = {
            status: answer.statusCode,
            headers,
            body,
            storedAt: now,
            expiresAt: now + decision.ttlMs,
          };
          await store.write(
            state.path,
            state.base,
            vary,
            entryKey(state.base, vary, state.headers),
            entry,
            decision.ttlMs,
          );
          stores.inc({ route: routeId, result: 'stored' });
        }
      } catch (error) {
        storeFailed(request, error);
      }
      return answerConditionally(h, rebuilt(h, answer, body), state.ifNoneMatch);
    };
  },
});

function isIncoming(source: unknown): source is { headers: Record<string, unknown>; statusCode: number } {
  return source instanceof Readable && typeof (source as { statusCode?: unknown }).statusCode === 'number';
}

function hitResponse(h: ResponseToolkit, entry: CachedAnswer, ifNoneMatch: unknown, now: number) {
  const age = String(Math.max(0, Math.floor((now - entry.storedAt) / 1000)));
  if (entry.status === 200 && noneMatch(ifNoneMatch, entry.headers.etag)) {
    const notModified = h.response().code(304);
    for (const name of ['etag', 'cache-control', 'vary', 'expires', 'content-location'])
      if (entry.headers[name] !== undefined) notModified.headers[name] = entry.headers[name]!;
    notModified.headers.age = age;
    notModified.headers['x-cache'] = 'HIT';
    return notModified;
  }
  const response = h.response(entry.body).code(entry.status);
  for (const [name, value] of Object.entries(entry.headers)) response.headers[name] = value;
  response.headers.age = age;
  response.headers['x-cache'] = 'HIT';
  return response;
}

/** A buffered answer with the old one's status and headers (hapi computes the new length). */
function rebuilt(h: ResponseToolkit, answer: ResponseObject, body: Buffer | Readable, keepLength = false) {
  const next = h.response(body).code(answer.statusCode);
  for (const [name, value] of Object.entries(answer.headers)) {
    if (name === 'content-length' && !keepLength) continue;
    (next.headers as Record<string, unknown>)[name] = value;
  }
  return next;
}

/** The client's If-None-Match, kept back from the upstream, answered here: 304 when the ETag matches. */
function answerConditionally(
  h: ResponseToolkit,
  answer: ResponseObject,
  ifNoneMatch: string | undefined,
  replacing = true,
) {
  if (ifNoneMatch === undefined || answer.statusCode !== 200 || !noneMatch(ifNoneMatch, answer.headers.etag))
    return replacing ? answer : h.continue;
  const source: unknown = answer.source;
  if (source instanceof Readable) source.resume();
  const notModified = h.response().code(304);
  for (const name of ['etag', 'cache-control', 'vary', 'expires', 'content-location', 'x-cache'])
    if (answer.headers[name] !== undefined)
      (notModified.headers as Record<string, unknown>)[name] = answer.headers[name];
  return notModified;
}
