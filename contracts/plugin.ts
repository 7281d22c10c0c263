// The plugin contract: what a Portico plugin is, and what the gateway hands it.
// Plugins import this file and nothing else of the gateway (DESIGN.md, "The plugin contract").
import type { IncomingMessage } from 'node:http';
import type {
  AuthCredentials,
  Lifecycle,
  Request,
  RequestRoute,
  ResponseToolkit,
  RouteOptions,
  Server,
  ServerRoute,
} from '@hapi/hapi';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Redis, Cluster } from 'ioredis';
import type { z } from 'zod';
import type { Caller, RouteFacts, TraceContext, UpstreamClient, UpstreamStep } from './upstream.ts';

/** The hapi lifecycle steps a plugin may touch; listed for ops in README and in /config. */
export type LifecyclePhase =
  | 'onRequest'
  | 'onPreAuth'
  | 'auth'
  | 'onCredentials'
  | 'onPostAuth'
  | 'onPreHandler'
  | 'handler'
  | 'onPostHandler'
  | 'onPreResponse'
  | 'response';

/**
 * A Portico plugin: a hapi plugin plus what the gateway needs to manage it.
 * `register` receives options already validated (and defaulted) by `options`.
 */
export interface PorticoPlugin<
  TOptions extends z.ZodType = z.ZodType,
  TRouteOptions extends z.ZodType = z.ZodType,
> {
  /** hapi plugin name; also the name the config uses. */
  name: string;
  version: string;
  /** Higher runs first within a lifecycle phase (as Kong's PRIORITY). */
  priority: number;
  /** Phases this plugin hooks, in request order; shown in /config and the plugin's README. */
  phases: LifecyclePhase[];
  /** Schema of the plugin's options in the config file; holds every default. */
  options: TOptions;
  /** Schema of per-route options (`routes[i].plugins[name]`); `false` there always turns the plugin off. */
  routeOptions?: TRouteOptions;
  /** hapi auth strategies this plugin registers; routes with `auth: optional|required` use them, in priority order. */
  authStrategies?: string[];
  /**
   * Cross-reference checks the options schema cannot make (an upstream or route that must exist),
   * run by `portico validate`, at start and before a reload changes anything.
   */
  validate?(options: z.output<TOptions>, config: ConfigFacts): ConfigIssue[];
  register(server: Server, options: z.output<TOptions>): void | Promise<void>;
}

/**
 * What response-header steps and response-sent listeners may read of a request: the part of
 * hapi's request that the fast path (proxied routes no request-phase ext touches, served without
 * hapi's lifecycle) also provides.
 */
export type EdgeAuthenticate = (request: EdgeRequest) => Promise<{ credentials: AuthCredentials }>;

export type EdgeRequest = Pick<
  Request,
  'method' | 'path' | 'url' | 'headers' | 'info' | 'plugins' | 'route' | 'raw' | 'auth'
>;

/**
 * Sets headers on a response before its head is written (security headers, CORS, RateLimit
 * fields): run for answers written straight from the upstream and for hapi's responses alike.
 */
export type ResponseHeaderStep = (
  request: EdgeRequest,
  headers: Record<string, string | string[] | number | undefined>,
) => void;

/** One problem in a config: the path of the bad key and what is wrong with it. */
export interface ConfigIssue {
  path: string;
  message: string;
}

/** What a plugin's `validate` hook may check its options against. */
export interface ConfigFacts {
  /** Where the plugin's own entry is (`plugins[3]`): issue paths are absolute, e.g. `plugins[3].options.upstreams.nowhere`. */
  pluginPath: string;
  upstreams: readonly string[];
  /** Every config route: its path in the config (`routes[2]`), its id, and this plugin's validated per-route options (or false / undefined). */
  routes: ReadonlyArray<{ path: string; id: string; options: unknown }>;
  /** Names of the configured plugins. */
  plugins: readonly string[];
}

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS';

/**
 * A route a plugin contributes (a BFF screen, the GraphQL endpoint, the docs page). Like a config
 * route it gets a route id, an auth mode, per-route plugin options validated at build time and a
 * body policy fixed when the route is built.
 */
export interface HandlerRoute {
  /** Route id in metrics, logs and upstream pipelines, e.g. `mobile.home`. */
  id: string;
  method: HttpMethod | HttpMethod[];
  path: string;
  /** none: no credentials; optional/required: the gateway's auth strategies in priority order. */
  auth: 'none' | 'optional' | 'required';
  /**
   * none (default): no body. buffer: hapi reads at most maxBytes (413 past it) and parses JSON
   * when `parse` is true. stream: the handler reads `request.payload` as a stream.
   */
  body?:
    | { mode: 'none' }
    | { mode: 'buffer'; maxBytes: number; parse?: boolean }
    | { mode: 'stream'; maxBytes: number };
  /** Per-route plugin options by plugin name; `false` turns a plugin off on this route. */
  plugins?: Record<string, unknown>;
  handler: Lifecycle.Method;
  /** Further hapi route options (response validation, ext, cors); auth, payload and plugins come from above. */
  options?: Omit<RouteOptions, 'auth' | 'payload' | 'handler' | 'plugins' | 'app'>;
}

/** Anything shared stores use: a Redis standalone client or a Cluster, when one is configured. */
export type RedisClient = Redis | Cluster;

/** Description of one configured upstream, as plugins see it. */
export interface UpstreamInfo {
  name: string;
  url: string;
}

/**
 * What the gateway decorates every server with (`server.portico`): one per gateway, never
 * module-level, so two gateways in one process share nothing.
 */
export interface GatewayContext {
  /** The gateway's root logger; a plugin takes a child named after itself. */
  logger: Logger;
  /** The gateway's metrics registry; a plugin names its metrics `portico_<plugin>_...`. */
  metrics: Registry;
  /** The shared Redis client, or undefined: then every store runs in memory. */
  redis: RedisClient | undefined;
  upstreams: ReadonlyMap<string, UpstreamInfo>;
  /**
   * The options a route gives a plugin, validated at start-up against the plugin's
   * `routeOptions` schema: `false` when the route turns the plugin off, `undefined` when the
   * route says nothing.
   */
  routeOptions<T = unknown>(route: RequestRoute, pluginName: string): T | false | undefined;
  /** A logger for this request: a child of `logger` carrying the request id, made once per request. */
  requestLogger(request: EdgeRequest): Logger;
  /**
   * Wraps every upstream exchange (during `register` only); interceptors of higher-priority
   * plugins are outermost.
   */
  interceptUpstream(interceptor: UpstreamInterceptor): void;
  /**
   * A client for one upstream on behalf of one route (a config route's name or a handler route's
   * id): the route's upstream pipeline applies to every call. Throws for an unknown upstream.
   */
  upstream(name: string, routeId: string): UpstreamClient;
  /**
   * The caller, request id, an abort signal (fired when the client goes away) and the trace (when
   * a tracing plugin made one) of a request: what an `UpstreamCall` made for it carries.
   */
  exchangeContext(request: Request): {
    caller: Caller;
    requestId: string;
    signal: AbortSignal;
    trace?: TraceContext;
  };
  /**
   * Contributes a step to every route's upstream pipeline (during `register` only). Replaces
   * `interceptUpstream`: the step's factory runs once per route, and a route it returns nothing
   * for has no step of this plugin.
   */
  upstreamStep<TRouteOptions = unknown>(step: UpstreamStep<TRouteOptions>): void;
  /**
   * Contributes a response-header step, asked once per route when the route is built (and once
   * with `undefined` for responses no route matched); undefined: no step on that route.
   */
  responseHeaders<TRouteOptions = unknown>(
    build: (
      route: RouteFacts | undefined,
      routeOptions: TRouteOptions | false | undefined,
    ) => ResponseHeaderStep | undefined,
  ): void;
  /**
   * Says, once per proxied route when it is built, whether this plugin must see or rewrite the
   * upstream's answer there (an onPreResponse step reading the body: transform, the response
   * cache, response validation). Such routes answer through hapi's response path; every other
   * proxied route has the answer written straight to the client.
   */
  readsResponses<TRouteOptions = unknown>(
    decide: (route: RouteFacts, routeOptions: TRouteOptions | undefined) => boolean,
  ): void;
  /**
   * Compiles this plugin's per-route options once per route (on hapi's `route` event) and returns
   * the lookup requests use: `compile` gets the validated options, `false` or `undefined`.
   */
  perRoute<TRouteOptions, T>(
    pluginName: string,
    compile: (routeOptions: TRouteOptions | false | undefined, route: RequestRoute | undefined) => T,
  ): (route: RequestRoute) => T;
  /** Listens to the active health checks: `healthy` flips (an open breaker half-opens at once on recovery). */
  onUpstreamHealth(listener: (upstream: string, healthy: boolean) => void): void;
  /** Tells the health checks an upstream just failed (a circuit opened): they probe it quickly until it answers. */
  suspectUpstream(upstream: string): void;
  /**
   * Listens to every response once it is sent or abandoned (both the direct path and hapi's):
   * the status sent (499 when the client left first) and the time from arrival.
   */
  onResponseSent(
    listener: (request: EdgeRequest, sent: { status: number; durationMs: number }) => void,
  ): void;
  /**
   * The hapi-free form of an auth strategy this plugin registers (`authStrategies`): resolves with
   * the credentials, or throws a Boom (`Boom.unauthorized(null, scheme)` when the request carries
   * none, so the next strategy is tried). The plugin's hapi scheme should call the same function;
   * a route whose every strategy has one keeps the fast path.
   */
  edgeAuth(strategy: string, authenticate: EdgeAuthenticate): void;
  /**
   * Answers CORS preflights (OPTIONS with Access-Control-Request-Method) before auth. Use this,
   * not an onRequest ext, for work only preflights need: a route whose plugins add no request-phase
   * ext keeps the fast path (requests that never meet hapi's lifecycle), and preflights never take it.
   */
  onPreflight(
    handler: (request: Request, h: ResponseToolkit) => Lifecycle.ReturnValue | Promise<Lifecycle.ReturnValue>,
  ): void;
  /**
   * State that must outlive a config reload (breakers, limiters, in-memory counters): the same
   * object for the same key for as long as the gateway's runtime lives; `create` runs once, and
   * `dispose` when the gateway stops (never on a reload). Prefix keys with the plugin's name.
   */
  keep<T>(key: string, create: () => T, dispose?: (value: T) => void | Promise<void>): T;
  /**
   * Reads the request's body whole, once, bounded (413 past `maxBytes`), and keeps it on
   * `request.plugins.portico.body`: what the upstream is then sent, so a plugin that validates or
   * rewrites a body in onPreHandler and the pipeline's steps share one read.
   */
  readBody(request: Request, maxBytes: number): Promise<Buffer>;
  /** Contributes handler routes (during `register` only); they are built after every plugin registered. */
  route(routes: HandlerRoute | HandlerRoute[]): void;
  /** Adds routes to the admin listener (during `register` only), e.g. an API-key admin API. */
  addAdminRoutes(routes: ServerRoute[]): void;
  /** Work to run when the gateway stops (close store connections, timers). */
  onStop(task: () => Promise<void> | void): void;
}

/**
 * One exchange with an upstream, as a plugin can wrap it (circuit breaker, retries).
 * `next` performs the exchange; it may be called again to retry, with `body` set to replay a
 * buffered request body (a streamed body can be sent once only). It resolves with the upstream's
 * response (any status) and rejects with an error whose `code` is `PORTICO_CONNECT_TIMEOUT`,
 * `PORTICO_RESPONSE_TIMEOUT`, a Node socket code (`ECONNREFUSED`, `ECONNRESET`, ...), or with a
 * Boom error a plugin raised (passed to the client as it is).
 */
export type UpstreamInterceptor = (
  exchange: UpstreamExchange,
  next: (options?: { body?: Buffer }) => Promise<IncomingMessage>,
) => Promise<IncomingMessage>;

export interface UpstreamExchange {
  request: Request;
  upstream: string;
  /** Upper-case method. */
  method: string;
  /**
   * The request body as an outer interceptor buffered it (and passed it to its `next`); an inner
   * interceptor's `next()` without options replays it. Absent while the body still streams from the client.
   */
  body?: Buffer;
}

/** What the gateway puts on `request.plugins.portico` for every request. */
export interface RequestContext {
  requestId: string;
  /** The route's name in the config (its path when it has none), for metrics and logs. */
  routeId: string;
  upstream?: string;
  /** The calling client's address after the trusted-proxy rules. */
  clientIp: string;
  /** The request body, once read (by `GatewayContext.readBody`): what the upstream is sent. */
  body?: Buffer;
  /** The request's trace, set by a tracing plugin (plugins/tracing) in onRequest; absent without one. */
  trace?: TraceContext;
}

declare module '@hapi/hapi' {
  interface Server {
    portico: GatewayContext;
  }
  interface PluginsStates {
    portico?: RequestContext;
  }
}

/** Identity helper so a plugin's types are checked against the contract where it is defined. */
export function definePlugin<TOptions extends z.ZodType, TRouteOptions extends z.ZodType = z.ZodNever>(
  plugin: PorticoPlugin<TOptions, TRouteOptions>,
): PorticoPlugin<TOptions, TRouteOptions> {
  return plugin;
}
