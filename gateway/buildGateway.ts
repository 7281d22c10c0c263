// One build of a gateway from one config: a hapi server with the core steps, the plugins and the
// routes, and its admin server, assembled but not listening. The runtime underneath holds what
// outlives the build (gateway/runtime/createRuntime.ts); a reload makes a new build beside this one.
import http from 'node:http';
import Hapi, { type RequestRoute, type ServerRoute } from '@hapi/hapi';
import type { Logger } from 'pino';
import type {
  EdgeAuthenticate,
  EdgeRequest,
  GatewayContext,
  HandlerRoute,
  PorticoPlugin,
  ResponseHeaderStep,
  UpstreamInfo,
} from '../contracts/plugin.ts';
import type { RouteFacts, UpstreamClient, UpstreamStep } from '../contracts/upstream.ts';
import { resolveAdminToken } from './admin/adminToken.ts';
import type { AdminChange } from './admin/auditAdminChanges.ts';
import { createAdminServer } from './admin/createAdminServer.ts';
import type { LoadedConfig } from './config/loadConfigFile.ts';
import { registerProblemResponses } from './core/problemResponses.ts';
import { createBodyReader } from './core/requestBody.ts';
import { registerRequestContext, type ResponseSentListener } from './core/requestContext.ts';
import { watchExts, watchingExts } from './registry/watchingExts.ts';
import { createFastDispatch, type FastDispatch } from './routes/createFastDispatch.ts';
import { createProxyTransport } from './proxy/createProxyEngine.ts';
import type { Upstream } from './proxy/createUpstream.ts';
import { handleUpgrades } from './proxy/websocketUpgrade.ts';
import { describeOrder, type PluginOrderEntry } from './registry/orderPlugins.ts';
import { buildHandlerRoutes } from './routes/buildHandlerRoutes.ts';
import { buildProxyRoutes } from './routes/buildProxyRoutes.ts';
import type { Runtime } from './runtime/createRuntime.ts';
import { composePipeline, type Pipeline } from './upstream/composePipeline.ts';
import { createUpstreamClient, undiciTransport } from './upstream/createUpstreamClient.ts';
import { exchangeContextOf } from './upstream/exchangeContext.ts';
import { stepsForRoute, type BuiltStep, type ContributedStep } from './upstream/upstreamSteps.ts';

export interface GatewayBuild {
  server: Hapi.Server;
  admin: Hapi.Server;
  loaded: LoadedConfig;
  pluginOrder: PluginOrderEntry[];
  upstreams: ReadonlyMap<string, Upstream>;
  /** The upstream steps of each route, by route id (what `/config` and the tests show). */
  pipelines: ReadonlyMap<string, readonly BuiltStep[]>;
  /** Serves the requests of fast-path routes without hapi (absent: no route takes it). */
  fast: FastDispatch | undefined;
  /** Plugins that added request-phase exts (they keep every route on hapi's lifecycle). */
  requestPhasePlugins: readonly string[];
  /** Runs this build's stop tasks and stops its servers (what `keep` holds stays). */
  stop(): Promise<void>;
}

/** What the gateway around a build gives it beyond the config. */
export interface BuildExtras {
  /** The admin token when the embedder chose it (`portico dev`, tests); else PORTICO_ADMIN_TOKEN or server.admin.tokenFile. */
  adminToken?: string;
  /** Admin routes of the gateway itself (the config versions), made afresh for each build. */
  adminRoutes?: () => ServerRoute[];
  /** Told of every state-changing admin call (the audit trail). */
  onAdminChange?: (change: AdminChange) => void;
}

interface ResponseStepFactory {
  plugin: string;
  build: (route: RouteFacts | undefined, options: never) => ResponseHeaderStep | undefined;
}

export async function buildGateway(
  loaded: LoadedConfig,
  runtime: Runtime,
  extras: BuildExtras = {},
): Promise<GatewayBuild> {
  const { config } = loaded;
  // First: an unreadable token file refuses the build before any plugin registers.
  const adminToken = await resolveAdminToken(config, { explicit: extras.adminToken });
  const { logger, metrics } = runtime;
  const requestIdHeader = config.server.requestId.header;
  const upstreams = runtime.upstreamsFor(config.upstreams);
  const stopTasks: Array<() => Promise<void> | void> = [];

  const server = Hapi.server({
    // The front listener (gateway/core/frontListener.ts) owns the socket and dispatches here.
    listener: http.createServer(),
    autoListen: false,
    // Connections belong to the front listener, which drains them itself.
    operations: { cleanStop: false },
    debug: false,
    compression: false,
    router: { stripTrailingSlash: false },
    routes: { cache: { otherwise: 'no-store' } },
  });

  // 1. What plugins contribute while they register.
  const contributedSteps: ContributedStep[] = [];
  const responseStepFactories: ResponseStepFactory[] = [];
  const responseReaders: Array<{ plugin: string; decide: (route: RouteFacts, options: never) => boolean }> =
    [];
  const adminRoutes: ServerRoute[] = [];
  const handlerRoutes: HandlerRoute[] = [];
  const sentListeners: ResponseSentListener[] = [];
  const edgeAuthenticators = new Map<string, EdgeAuthenticate>();
  const preflightHandlers: Array<Parameters<GatewayContext['onPreflight']>[0]> = [];
  const requestPhasePlugins = new Set<string>();
  let registering: PorticoPlugin | undefined;
  let routesBuilt = false;
  const duringRegister = (what: string) => {
    if (routesBuilt || !registering) throw new Error(`${what} may only be called while a plugin registers`);
    return registering;
  };

  const requestLoggers = new WeakMap<EdgeRequest, Logger>();
  const requestLogger = (request: EdgeRequest): Logger => {
    let child = requestLoggers.get(request);
    if (!child) {
      child = logger.child({ requestId: request.plugins.portico?.requestId });
      requestLoggers.set(request, child);
    }
    return child;
  };
  const readRawBody = createBodyReader();
  const onUpstreamError = (
    upstream: string,
    kind: string,
    error: NodeJS.ErrnoException,
    requestId: string,
  ) => {
    metrics.upstreamError(upstream, kind);
    logger.warn(
      { event: 'upstream_error', requestId, upstream, kind, code: error.code },
      'upstream request failed',
    );
  };

  // 2. Pipelines: one per route (and upstream), from the contributed steps.
  const pipelines = new Map<string, readonly BuiltStep[]>();
  const handlerRouteOptions = new Map<string, Record<string, unknown>>();
  const pipelineFor = (facts: RouteFacts, routeOptions: (plugin: string) => unknown, transport: Pipeline) => {
    const steps = stepsForRoute(contributedSteps, facts, routeOptions);
    pipelines.set(facts.kind === 'proxy' ? facts.routeId : `${facts.routeId} → ${facts.upstream}`, steps);
    return composePipeline(
      steps.map(({ interceptor }) => interceptor),
      transport,
    );
  };
  const clients = new Map<string, UpstreamClient>();

  const context: GatewayContext = {
    logger,
    metrics: metrics.registry,
    redis: runtime.redis,
    upstreams: new Map<string, UpstreamInfo>(
      [...upstreams].map(([name, upstream]) => [name, { name, url: upstream.url.href }]),
    ),
    routeOptions: <T>(route: RequestRoute, pluginName: string) =>
      (route.settings.plugins as Record<string, unknown> | undefined)?.[pluginName] as T | false | undefined,
    requestLogger,
    interceptUpstream: () => {
      throw new Error('interceptUpstream is gone: contribute an upstreamStep (contracts/upstream.ts)');
    },
    upstreamStep: (step) => {
      const plugin = duringRegister('upstreamStep');
      contributedSteps.push({ plugin: plugin.name, priority: plugin.priority, step: step as UpstreamStep });
    },
    responseHeaders: (build) => {
      const plugin = duringRegister('responseHeaders');
      responseStepFactories.push({ plugin: plugin.name, build: build as ResponseStepFactory['build'] });
    },
    readsResponses: (decide) => {
      const plugin = duringRegister('readsResponses');
      responseReaders.push({
        plugin: plugin.name,
        decide: decide as (route: RouteFacts, options: never) => boolean,
      });
    },
    perRoute: (pluginName, compile) => {
      const compiled = new WeakMap<RequestRoute, ReturnType<typeof compile>>();
      server.events.on('route', (route) => {
        compiled.set(route, compile(context.routeOptions(route, pluginName), route));
      });
      let unmatched: ReturnType<typeof compile> | undefined;
      return (route) => {
        const found = compiled.get(route);
        if (found !== undefined || compiled.has(route)) return found as ReturnType<typeof compile>;
        // The not-found route and routes of other servers were never announced: plugin defaults.
        return (unmatched ??= compile(undefined, undefined));
      };
    },
    onUpstreamHealth: (listener) => runtime.readiness.onChange(listener),
    suspectUpstream: (upstream) => runtime.readiness.suspect(upstream),
    onResponseSent: (listener) => void sentListeners.push(listener),
    edgeAuth: (strategy, authenticate) => {
      duringRegister('edgeAuth');
      edgeAuthenticators.set(strategy, authenticate);
    },
    onPreflight: (handler) => {
      duringRegister('onPreflight');
      preflightHandlers.push(handler);
    },
    upstream: (name, routeId) => {
      const key = `${routeId}\0${name}`;
      let client = clients.get(key);
      if (client) return client;
      const upstream = upstreams.get(name);
      if (!upstream)
        throw new Error(`no upstream named "${name}" (known: ${[...upstreams.keys()].join(', ')})`);
      client = createUpstreamClient(upstream, routeId, {
        requestIdHeader,
        onUpstreamError,
        pipeline: () => {
          const own = handlerRouteOptions.get(routeId) ?? {};
          const route = handlerRoutes.find((candidate) => candidate.id === routeId);
          const methods = route ? [route.method].flat() : ('*' as const);
          return pipelineFor(
            { routeId, kind: 'handler', path: route?.path ?? '', upstream: name, methods },
            (plugin) => own[plugin],
            undiciTransport(upstream),
          );
        },
      });
      clients.set(key, client);
      return client;
    },
    exchangeContext: exchangeContextOf,
    readBody: async (request, maxBytes) => {
      const context = request.plugins.portico!;
      if (context.body) return context.body;
      const body = await readRawBody(request.raw.req, maxBytes);
      context.body = body;
      return body;
    },
    keep: (key, create, dispose) => runtime.keep(key, create, dispose),
    route: (routes) => {
      duringRegister('route');
      handlerRoutes.push(...(Array.isArray(routes) ? routes : [routes]));
    },
    addAdminRoutes: (routes) => {
      duringRegister('addAdminRoutes');
      adminRoutes.push(...routes);
    },
    onStop: (task) => void stopTasks.push(task),
  };
  server.decorate('server', 'portico', context);

  // 3. Core steps first: every plugin can rely on the request context and on problem+json errors.
  const reportSent: ResponseSentListener = (request, sent) => {
    metrics.observeRequest(
      request.plugins.portico?.routeId ?? 'unmatched',
      request.method.toUpperCase(),
      sent.status,
      request.plugins.portico?.upstream ?? 'none',
      sent.durationMs / 1000,
    );
    for (const listener of sentListeners) listener(request, sent);
  };
  registerRequestContext(server, config.server, reportSent);
  server.ext('onRequest', async (request, h) => {
    if (request.method !== 'options' || !request.headers['access-control-request-method']) return h.continue;
    for (const handler of preflightHandlers) {
      const answer = await handler(request, h);
      if (answer !== h.continue) return answer;
    }
    return h.continue;
  });
  let unmatchedSteps: readonly ResponseHeaderStep[] = [];
  registerProblemResponses(server, requestLogger, () => unmatchedSteps);
  server.events.on({ name: 'request', channels: 'error' }, (request, event) => {
    requestLogger(request).error({ event: 'request_error', err: event.error }, 'unhandled error');
  });

  // 4. Plugins, in priority order.
  for (const { plugin, options } of loaded.plugins) {
    registering = plugin;
    await server.register({
      plugin: watchingExts(plugin, () => requestPhasePlugins.add(plugin.name)),
      options,
    });
  }
  registering = undefined;
  const pluginOrder = describeOrder(loaded.plugins);
  logger.info(
    { event: 'plugin_order', plugins: pluginOrder.map(({ name, priority }) => `${name}(${priority})`) },
    'plugins registered in priority order',
  );

  // 5. Response-header steps: the request id first, then the plugins' by priority; per route.
  const requestIdStep: ResponseHeaderStep = (request, headers) => {
    const requestId = request.plugins.portico?.requestId;
    if (requestId) headers[requestIdHeader] = requestId;
  };
  const responseStepsFor = (facts: RouteFacts | undefined, options: Record<string, unknown>) => [
    requestIdStep,
    ...responseStepFactories.flatMap(({ plugin, build }) => {
      const own = options[plugin];
      if (own === false) return [];
      const step = build(facts, own as never);
      return step ? [step] : [];
    }),
  ];
  unmatchedSteps = responseStepsFor(undefined, {});

  // 6. Routes: config routes (proxied), then the plugins' handler routes.
  const announced: RequestRoute[] = [];
  server.events.on('route', (route) => void announced.push(route));
  const plugins = new Map(loaded.plugins.map(({ plugin }) => [plugin.name, plugin]));
  const authStrategies = loaded.plugins.flatMap(({ plugin }) => plugin.authStrategies ?? []);
  const transports = new Map(
    [...upstreams].map(([name, upstream]) => [name, createProxyTransport(upstream)]),
  );
  const proxyRoutes = buildProxyRoutes(config.routes, upstreams, authStrategies, {
    requestIdHeader,
    readBody: readRawBody,
    exchangeContext: exchangeContextOf,
    onUpstreamError,
    pipelineFor: (facts, routeOptions) =>
      pipelineFor(facts, (plugin) => routeOptions[plugin], transports.get(facts.upstream)!),
    responseStepsFor,
    fastPath: requestPhasePlugins.size === 0,
    // Routes with auth keep the fast path when every strategy has a hapi-free form.
    fastAuth: authStrategies.every((strategy) => edgeAuthenticators.has(strategy)),
    readsResponse: (facts, routeOptions) =>
      responseReaders.some(
        ({ plugin, decide }) =>
          routeOptions[plugin] !== false && decide(facts, routeOptions[plugin] as never),
      ),
  });
  server.route(proxyRoutes.routes);
  const handlerRouteDefs = buildHandlerRoutes(handlerRoutes, plugins, authStrategies, responseStepsFor);
  for (const route of handlerRouteDefs) {
    const app = route.options as { app: { routeId: string }; plugins: Record<string, unknown> };
    handlerRouteOptions.set(app.app.routeId, app.plugins);
  }
  server.route(handlerRouteDefs);
  routesBuilt = true;
  handleUpgrades(server, {
    requestIdHeader,
    trustedProxies: config.server.trustedProxies,
    logger,
    targets: proxyRoutes.byId,
  });

  // 7. The admin server of this build.
  const admin = createAdminServer({
    config,
    pluginOrder,
    readiness: runtime.readiness,
    metrics: metrics.registry,
    source: loaded.source,
    pipelines,
    token: adminToken,
    onChange: extras.onAdminChange,
  });
  admin.route([...(extras.adminRoutes?.() ?? []), ...adminRoutes]);

  // An ext added to the built server later (a test's hook, say) must run: it ends the fast path.
  let lateExt = false;
  const fast = createFastDispatch({
    server,
    routes: announced,
    proxyRoutes: proxyRoutes.byId,
    config: config.server,
    onSent: reportSent,
    requestLogger,
    authenticators: edgeAuthenticators,
    disabled: () => lateExt,
  });
  watchExts(server, () => (lateExt = true));

  return {
    server,
    admin,
    loaded,
    pluginOrder,
    upstreams,
    pipelines,
    fast,
    requestPhasePlugins: [...requestPhasePlugins],
    async stop() {
      await server.stop({ timeout: 0 });
      await admin.stop({ timeout: 0 });
      for (const task of stopTasks.reverse()) await task();
      for (const transport of transports.values()) transport.close();
    },
  };
}
