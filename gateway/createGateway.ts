// The gateway: a small surface over parts that each own one concern (as hapi's server.js over core.js).
import Hapi, { type Request, type RequestRoute, type ServerRoute } from '@hapi/hapi';
import { Redis, Cluster } from 'ioredis';
import type { Logger } from 'pino';
import type {
  GatewayContext,
  HandlerRoute,
  RedisClient,
  UpstreamInfo,
  UpstreamInterceptor,
} from '../contracts/plugin.ts';
import type { UpstreamClient } from '../contracts/upstream.ts';
import { createAdminServer } from './admin/createAdminServer.ts';
import { createReadiness, type Readiness } from './admin/readiness.ts';
import type { LoadedConfig } from './config/loadConfigFile.ts';
import { createListener } from './core/createListener.ts';
import { registerProblemResponses } from './core/problemResponses.ts';
import { registerRequestContext } from './core/requestContext.ts';
import { createLogger } from './observability/createLogger.ts';
import { createGatewayMetrics, type GatewayMetrics } from './observability/gatewayMetrics.ts';
import { createProxyEngine } from './proxy/createProxyEngine.ts';
import { closeUpstream, createUpstream, type Upstream } from './proxy/createUpstream.ts';
import { handleUpgrades } from './proxy/websocketUpgrade.ts';
import { describeOrder, type PluginOrderEntry } from './registry/orderPlugins.ts';
import { buildHandlerRoutes } from './routes/buildHandlerRoutes.ts';
import { buildProxyRoutes } from './routes/buildProxyRoutes.ts';
import { callerOf, clientGoneSignal } from './upstream/callerOf.ts';
import { createUpstreamClient } from './upstream/createUpstreamClient.ts';
import { sendWithUndici } from './upstream/undiciTransport.ts';

export interface GatewayOptions {
  logger?: Logger;
  /** false: no admin listener (cluster workers: the primary serves the admin API). Default true. */
  admin?: boolean;
}

export interface Gateway {
  server: Hapi.Server;
  admin: Hapi.Server;
  readiness: Readiness;
  metrics: GatewayMetrics;
  pluginOrder: PluginOrderEntry[];
  /** Opens both listeners; resolves with their URLs. */
  start(): Promise<{ url: string; adminUrl: string }>;
  /** SIGTERM semantics: readiness 503, wait the drain delay, stop taking connections, let in-flight requests finish. */
  drain(): Promise<void>;
  /** Stops at once (tests). */
  stop(): Promise<void>;
}

export async function createGateway(loaded: LoadedConfig, options: GatewayOptions = {}): Promise<Gateway> {
  const { config } = loaded;
  const logger = options.logger ?? createLogger();
  const metrics = createGatewayMetrics();
  const stopTasks: Array<() => Promise<void> | void> = [];
  const requestIdHeader = config.server.requestId.header;

  const redis = config.redis ? connectRedis(config.redis, logger) : undefined;
  if (redis) stopTasks.push(() => void redis.disconnect());

  const upstreams = new Map<string, Upstream>(
    Object.entries(config.upstreams).map(([name, upstream]) => [name, createUpstream(name, upstream)]),
  );
  const readiness = createReadiness([...upstreams.values()]);

  const server = Hapi.server({
    listener: createListener(config.server.limits), // h10a: edge connection limits (server.limits)
    host: config.server.host,
    port: config.server.port,
    debug: false,
    compression: false,
    router: { stripTrailingSlash: false },
    routes: { cache: { otherwise: 'no-store' } },
  });
  server.listener.keepAliveTimeout = config.server.keepAliveTimeout;

  const interceptors: UpstreamInterceptor[] = [];
  const adminRoutes: ServerRoute[] = [];
  const handlerRoutes: HandlerRoute[] = [];
  let routesBuilt = false;
  const clients = new Map<string, UpstreamClient>();
  const signals = new WeakMap<Request, AbortSignal>();
  const kept = new Map<string, unknown>();
  const requestLoggers = new WeakMap<Request, Logger>();
  const requestLogger = (request: Request): Logger => {
    let child = requestLoggers.get(request);
    if (!child) {
      child = logger.child({ requestId: request.plugins.portico?.requestId });
      requestLoggers.set(request, child);
    }
    return child;
  };
  const context: GatewayContext = {
    logger,
    metrics: metrics.registry,
    redis,
    upstreams: new Map<string, UpstreamInfo>(
      [...upstreams].map(([name, upstream]) => [name, { name, url: upstream.url.href }]),
    ),
    routeOptions: <T>(route: RequestRoute, pluginName: string) =>
      (route.settings.plugins as Record<string, unknown> | undefined)?.[pluginName] as T | false | undefined,
    requestLogger,
    interceptUpstream: (interceptor) => {
      if (routesBuilt) throw new Error('interceptUpstream may only be called while a plugin registers');
      interceptors.push(interceptor);
    },
    upstream: (name, routeId) => {
      const key = `${routeId}\0${name}`;
      let client = clients.get(key);
      if (!client) {
        const upstream = upstreams.get(name);
        if (!upstream)
          throw new Error(`no upstream named "${name}" (known: ${[...upstreams.keys()].join(', ')})`);
        client = createUpstreamClient(upstream, routeId, {
          requestIdHeader,
          send: (exchange) => sendWithUndici(upstream.pool, exchange),
          onUpstreamError: (upstreamName, kind) => metrics.upstreamError(upstreamName, kind),
        });
        clients.set(key, client);
      }
      return client;
    },
    exchangeContext: (request) => {
      let signal = signals.get(request);
      if (!signal) signals.set(request, (signal = clientGoneSignal(request)));
      return { caller: callerOf(request), requestId: request.plugins.portico!.requestId, signal };
    },
    upstreamStep: () => {
      throw new Error('upstreamStep: not wired yet');
    },
    keep: (key, create) => {
      if (!kept.has(key)) kept.set(key, create());
      return kept.get(key) as never;
    },
    route: (routes) => {
      if (routesBuilt) throw new Error('route may only be called while a plugin registers');
      handlerRoutes.push(...(Array.isArray(routes) ? routes : [routes]));
    },
    addAdminRoutes: (routes) => {
      if (routesBuilt) throw new Error('addAdminRoutes may only be called while a plugin registers');
      adminRoutes.push(...routes);
    },
    onStop: (task) => void stopTasks.push(task),
  };
  server.decorate('server', 'portico', context);

  // Core steps first: every plugin can rely on the request context and on problem+json errors.
  registerRequestContext(server, config.server);
  registerProblemResponses(server, requestIdHeader, requestLogger);
  server.events.on({ name: 'request', channels: 'error' }, (request, event) => {
    requestLogger(request).error({ event: 'request_error', err: event.error }, 'unhandled error');
  });
  server.events.on('response', (request) => {
    const status = responseStatus(request);
    const context = request.plugins.portico;
    metrics.observeRequest(
      context?.routeId ?? 'unmatched',
      request.method.toUpperCase(),
      status,
      context?.upstream ?? 'none',
      ((request.info.responded || Date.now()) - request.info.received) / 1000,
    );
  });

  for (const { plugin, options: pluginOptions } of loaded.plugins) {
    await server.register({ plugin, options: pluginOptions });
  }
  const pluginOrder = describeOrder(loaded.plugins);
  logger.info(
    { event: 'plugin_order', plugins: pluginOrder.map(({ name, priority }) => `${name}(${priority})`) },
    'plugins registered in priority order',
  );

  const engine = createProxyEngine({
    requestIdHeader,
    interceptors: () => interceptors,
    onUpstreamError: (upstream, kind) => metrics.upstreamError(upstream, kind),
    requestLogger,
  });
  const authStrategies = loaded.plugins.flatMap(({ plugin }) => plugin.authStrategies ?? []);
  server.route(buildProxyRoutes(config.routes, upstreams, engine, authStrategies));
  server.route(
    buildHandlerRoutes(
      handlerRoutes,
      new Map(loaded.plugins.map(({ plugin }) => [plugin.name, plugin])),
      authStrategies,
    ),
  );
  routesBuilt = true;
  handleUpgrades(server, { requestIdHeader, trustedProxies: config.server.trustedProxies, logger });

  const admin = createAdminServer({
    config,
    pluginOrder,
    readiness,
    metrics: metrics.registry,
    source: loaded.source,
  });
  admin.route(adminRoutes);

  async function closeAll(): Promise<void> {
    readiness.stop();
    await admin.stop({ timeout: 1000 });
    for (const task of stopTasks.reverse()) await task();
    for (const upstream of upstreams.values()) closeUpstream(upstream);
  }

  return {
    server,
    admin,
    readiness,
    metrics,
    pluginOrder,
    async start() {
      const withAdmin = options.admin !== false;
      // Shared budgets are only shared once the store answers: don't take traffic before that.
      if (redis && config.redis && !(await redisReady(redis, config.redis.startupWait))) {
        logger.warn(
          { event: 'redis_not_ready', waitedMs: config.redis.startupWait },
          'starting without Redis: stores use their failure mode',
        );
      }
      await server.initialize();
      if (withAdmin) await admin.start();
      else await admin.initialize();
      await server.start();
      void readiness.probeAll();
      const adminUrl = withAdmin ? admin.info.uri : '';
      logger.info(
        { event: 'listening', url: server.info.uri, admin: adminUrl || undefined },
        'gateway listening',
      );
      return { url: server.info.uri, adminUrl };
    },
    async drain() {
      readiness.startDraining();
      logger.info(
        { event: 'draining', delayMs: config.server.drain.delay, timeoutMs: config.server.drain.timeout },
        'draining',
      );
      if (config.server.drain.delay > 0)
        await new Promise((resolve) => setTimeout(resolve, config.server.drain.delay));
      await server.stop({ timeout: config.server.drain.timeout });
      await closeAll();
      logger.info({ event: 'stopped' }, 'gateway stopped');
    },
    async stop() {
      await server.stop({ timeout: 0 });
      await closeAll();
    },
  };
}

/** The status sent, or 499 (nginx's "client closed request") when the client left first. */
export function responseStatus(request: Request): number {
  const response: unknown = request.response;
  if (typeof response !== 'object' || response === null) return 499;
  return (
    (response as { statusCode?: number }).statusCode ??
    (response as { output?: { statusCode: number } }).output?.statusCode ??
    499
  );
}

function redisReady(client: RedisClient, waitMs: number): Promise<boolean> {
  if (client.status === 'ready') return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (ready: boolean) => {
      clearTimeout(timer);
      client.off('ready', onReady);
      resolve(ready);
    };
    const onReady = () => done(true);
    const timer = setTimeout(() => done(false), waitMs);
    client.on('ready', onReady);
  });
}

function connectRedis(config: NonNullable<LoadedConfig['config']['redis']>, logger: Logger): RedisClient {
  const client: RedisClient =
    'url' in config
      ? new Redis(config.url, { lazyConnect: false, maxRetriesPerRequest: 1, enableOfflineQueue: false })
      : new Cluster(config.cluster.nodes, { enableOfflineQueue: false });
  client.on('error', (error: Error) =>
    logger.warn({ event: 'redis_error', err: error.message }, 'redis error'),
  );
  return client;
}
