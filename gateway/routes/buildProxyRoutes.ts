// Turns the config's routes into hapi routes, decided once at build time: path rewrite, limits,
// auth mode, body policy, per-route plugin options, the upstream pipeline and the response path
// (direct, or through hapi when a plugin must read answers) all live on the route.
import type { IncomingMessage } from 'node:http';
import type { ServerRoute } from '@hapi/hapi';
import type { EdgeRequest, ResponseHeaderStep } from '../../contracts/plugin.ts';
import type { Caller, RouteFacts } from '../../contracts/upstream.ts';
import { staticPrefix } from '../config/loadConfigFile.ts';
import type { RouteConfig } from '../config/schema.ts';
import type { RouteResponseSteps } from '../core/problemResponses.ts';
import {
  createProxyExchange,
  createProxyHandler,
  type ProxyExchange,
  type ProxyRouteTarget,
} from '../proxy/createProxyHandler.ts';
import type { Upstream } from '../proxy/createUpstream.ts';
import type { Pipeline } from '../upstream/composePipeline.ts';
import type { UpstreamErrorListener } from '../upstream/failureToBoom.ts';

// hapi deep-clones a route's `app` (Hoek.applyToDefaults): it holds only small facts, and the
// route's target and exchange (an upstream with its agents and proxy) live in ProxyRoutes.byId.
export interface ProxyRouteApp extends RouteResponseSteps {
  routeId: string;
  kind: 'proxy';
  upstream: string;
  /** Answers written straight to the client (true) or through hapi's response path. */
  direct: boolean;
  /** Served by the fast path (no hapi lifecycle): answers written directly, no plugin adds a request-phase ext, and no auth or only strategies with a hapi-free form. */
  fast: boolean;
  /** The route's auth, for the fast path (absent: auth none). */
  auth?: { mode: 'optional' | 'required'; strategies: readonly string[] };
}

export interface ProxyRouteParts {
  requestIdHeader: string;
  readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer>;
  exchangeContext(request: EdgeRequest): { caller: Caller; requestId: string; signal: AbortSignal };
  onUpstreamError: UpstreamErrorListener;
  pipelineFor(facts: RouteFacts, routeOptions: Record<string, unknown>): Pipeline;
  responseStepsFor(facts: RouteFacts, routeOptions: Record<string, unknown>): ResponseHeaderStep[];
  readsResponse(facts: RouteFacts, routeOptions: Record<string, unknown>): boolean;
  /** No plugin added a request-phase ext: routes without auth whose answers are written directly may take the fast path. */
  fastPath: boolean;
  /** Every auth strategy has a hapi-free form: routes with auth may take the fast path too. */
  fastAuth: boolean;
}

/** Bodies up to this size are read whole before the exchange under `body: auto`. */
const AUTO_BUFFER_LIMIT = 1024 * 1024;

/** A proxied route's parts the fast path and WebSocket upgrades use, by route id. */
export interface ProxyRouteRuntime {
  target: ProxyRouteTarget;
  exchange: ProxyExchange;
}

export interface ProxyRoutes {
  routes: ServerRoute[];
  byId: ReadonlyMap<string, ProxyRouteRuntime>;
}

export function buildProxyRoutes(
  routes: RouteConfig[],
  upstreams: ReadonlyMap<string, Upstream>,
  authStrategies: string[],
  parts: ProxyRouteParts,
): ProxyRoutes {
  const byId = new Map<string, ProxyRouteRuntime>();
  const built = routes.map((route): ServerRoute => {
    const upstream = upstreams.get(route.upstream)!;
    const routeId = route.name ?? route.path;
    const target: ProxyRouteTarget = {
      upstream,
      rewrite: {
        prefix: staticPrefix(route.path),
        stripPrefix: route.stripPrefix,
        addPrefix: route.addPrefix,
        basePath: upstream.basePath,
      },
      responseTimeout: route.timeout ?? upstream.config.timeout,
      maxBodySize: route.maxBodySize,
      websocket: route.websocket,
      bufferBody:
        route.body === 'buffer' || (route.body === 'auto' && route.maxBodySize <= AUTO_BUFFER_LIMIT),
    };
    // hapi answers HEAD from a GET route and refuses HEAD as a route method of its own.
    const methods = route.methods === '*' ? '*' : route.methods.filter((method) => method !== 'HEAD');
    const facts: RouteFacts = {
      routeId,
      kind: 'proxy',
      path: route.path,
      upstream: upstream.name,
      methods: route.methods,
    };
    const responseSteps = parts.responseStepsFor(facts, route.plugins);
    const direct = !parts.readsResponse(facts, route.plugins);
    const handlerParts = {
      routeId,
      requestIdHeader: parts.requestIdHeader,
      pipeline: parts.pipelineFor(facts, route.plugins),
      direct,
      responseSteps,
      readBody: parts.readBody,
      exchangeContext: parts.exchangeContext,
      onUpstreamError: parts.onUpstreamError,
    };
    const exchange = createProxyExchange(target, handlerParts);
    byId.set(routeId, { target, exchange });
    const app: ProxyRouteApp = {
      routeId,
      kind: 'proxy',
      upstream: upstream.name,
      direct,
      responseSteps,
      fast:
        parts.fastPath && direct && (route.auth === 'none' || (parts.fastAuth && authStrategies.length > 0)),
      ...(route.auth !== 'none' && { auth: { mode: route.auth, strategies: authStrategies } }),
    };
    // hapi refuses payload settings on a route that only answers GET (and HEAD).
    const takesBody = methods === '*' || methods.some((method) => method !== 'GET');
    return {
      method: methods,
      path: route.path,
      handler: createProxyHandler(exchange, handlerParts),
      options: {
        app,
        plugins: route.plugins,
        auth: route.auth === 'none' ? false : { mode: route.auth, strategies: authStrategies },
        // The body goes to the upstream untouched: hapi neither reads nor parses it.
        ...(takesBody && {
          payload: { output: 'stream', parse: false, timeout: false, maxBytes: route.maxBodySize },
        }),
        // The upstream's answer is passed through as it is: no ranges, compression or cache headers of hapi's own.
        response: { ranges: false },
        cache: false,
        timeout: { server: false },
      },
    };
  });
  return { routes: built, byId };
}
