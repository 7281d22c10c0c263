// The fast path of proxied routes: a request to a route that no plugin touches before the upstream
// (no auth, no request-phase ext, an answer no plugin reads) is served without hapi's request
// lifecycle. Decided per route when the build is made; everything else, and every request
// whose path hapi would normalize, goes to hapi. The request the steps and the response-sent
// listeners see is an EdgeRequest: the part of hapi's request the fast path also provides.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import Boom from '@hapi/boom';
import type { AuthCredentials, RequestRoute, Server } from '@hapi/hapi';
import type { Logger } from 'pino';
import type { EdgeAuthenticate, EdgeRequest, RequestContext } from '../../contracts/plugin.ts';
import { PROBLEM_CONTENT_TYPE } from '../../contracts/problem.ts';
import type { PorticoConfig } from '../config/schema.ts';
import { problemOf } from '../core/problemResponses.ts';
import { hasRequestBody } from '../core/requestBody.ts';
import { openRequestContext, reportWhenSent, type ResponseSentListener } from '../core/requestContext.ts';
import { writeReply } from '../proxy/writeReply.ts';
import { CLIENT_GONE } from '../upstream/failureToBoom.ts';
import type { ProxyExchange } from '../proxy/createProxyHandler.ts';
import type { ProxyRouteApp, ProxyRouteRuntime } from './buildProxyRoutes.ts';

/** Serves `req` when its route takes the fast path; false: hand it to hapi. */
export type FastDispatch = (req: IncomingMessage, res: ServerResponse) => boolean;

export interface FastDispatchParts {
  server: Server;
  /** The build's routes as hapi announced them (the objects `server.match` returns). */
  routes: readonly RequestRoute[];
  /** The proxied routes' exchanges, by route id. */
  proxyRoutes: ReadonlyMap<string, ProxyRouteRuntime>;
  config: PorticoConfig['server'];
  onSent: ResponseSentListener;
  requestLogger(request: EdgeRequest): Logger;
  /** The hapi-free forms of the auth strategies, by strategy name. */
  authenticators: ReadonlyMap<string, EdgeAuthenticate>;
  /** True once a request-phase ext was added to the built server: from then on hapi serves everything. */
  disabled(): boolean;
}

interface FastAuth {
  isAuthenticated: boolean;
  credentials: AuthCredentials | null;
  artifacts: null;
  strategy: string | null;
  mode: string | null;
  error: Error | null;
}

class FastRequest {
  readonly method: string;
  readonly info: { received: number; remoteAddress: string; host: string };
  readonly plugins: { portico?: RequestContext } = {};
  readonly raw: { req: IncomingMessage; res: ServerResponse };
  auth: FastAuth = {
    isAuthenticated: false,
    credentials: null,
    artifacts: null,
    strategy: null,
    mode: null,
    error: null,
  };
  #url: URL | undefined;

  constructor(
    req: IncomingMessage,
    res: ServerResponse,
    readonly path: string,
    readonly route: RequestRoute,
    readonly protocol: string,
  ) {
    this.method = req.method!.toLowerCase();
    this.info = {
      received: Date.now(),
      remoteAddress: req.socket.remoteAddress ?? '',
      host: req.headers.host ?? '',
    };
    this.raw = { req, res };
  }

  get headers() {
    return this.raw.req.headers;
  }

  /** hapi's too is made on first use, from the same parts. */
  get url(): URL {
    return (this.#url ??= new URL(`${this.protocol}://${this.info.host || 'localhost'}${this.raw.req.url!}`));
  }
}

export function createFastDispatch(parts: FastDispatchParts): FastDispatch | undefined {
  const routes = new Map<RequestRoute, { app: ProxyRouteApp; exchange: ProxyExchange }>();
  for (const route of parts.routes) {
    const app = route.settings.app as Partial<ProxyRouteApp> | undefined;
    const runtime = app?.kind === 'proxy' && app.fast ? parts.proxyRoutes.get(app.routeId!) : undefined;
    if (runtime) routes.set(route, { app: app as ProxyRouteApp, exchange: runtime.exchange });
  }
  if (routes.size === 0) return undefined;
  const { server, config, onSent, requestLogger, disabled, authenticators } = parts;

  /** hapi's auth (lib/auth.js): strategies in order; one without credentials passes to the next. */
  async function authenticate(request: EdgeRequest, auth: NonNullable<ProxyRouteApp['auth']>): Promise<void> {
    const state = request.auth as unknown as FastAuth;
    state.mode = auth.mode;
    const challenges: string[] = [];
    for (const strategy of auth.strategies) {
      try {
        const { credentials } = await authenticators.get(strategy)!(request);
        Object.assign(state, { isAuthenticated: true, credentials, strategy });
        return;
      } catch (error) {
        if (!Boom.isBoom(error) || !(error as Boom.Boom & { isMissing?: boolean }).isMissing) throw error;
        challenges.push(String(error.output.headers['WWW-Authenticate']));
      }
    }
    const missing = Boom.unauthorized('Missing authentication', challenges);
    if (auth.mode === 'required') throw missing;
    state.error = missing;
  }

  return (req, res) => {
    if (disabled()) return false;
    const method = req.method;
    const url = req.url;
    // hapi answers HEAD from GET routes and OPTIONS preflights itself; absolute-form targets,
    // fragments, percent-encodings and dot segments are left to hapi's normalization.
    if (method === 'HEAD' || method === 'OPTIONS' || !method || !url || url.charCodeAt(0) !== 47)
      return false;
    const query = url.indexOf('?');
    const path = query === -1 ? url : url.slice(0, query);
    if (path.includes('%') || path.includes('/.') || url.includes('#')) return false;
    let route: RequestRoute | null;
    try {
      route = server.match(method as 'get', path);
    } catch {
      return false;
    }
    const found = route && routes.get(route);
    if (!found) return false;
    const { app, exchange } = found;
    const steps = app.responseSteps ?? [];

    const protocol = (req.socket as TLSSocket).encrypted ? 'https' : 'http';
    const request = new FastRequest(req, res, path, route!, protocol) as unknown as EdgeRequest;
    const context = openRequestContext(request, config);
    context.routeId = app.routeId;
    context.upstream = app.upstream;
    request.plugins.portico = context;
    reportWhenSent(request, onSent);

    (app.auth
      ? authenticate(request, app.auth).then(() => exchange(request, protocol))
      : exchange(request, protocol)
    ).then(
      (reply) => {
        if (reply === CLIENT_GONE) res.destroy();
        else writeReply(request, reply, steps);
      },
      (error: unknown) => {
        const failure = Boom.isBoom(error) ? error : Boom.boomify(error as Error);
        const body = JSON.stringify(problemOf(failure, request, requestLogger));
        const headers: Record<string, string | string[] | number | undefined> = {};
        for (const [name, value] of Object.entries(failure.output.headers)) {
          if (value !== undefined) headers[name] = String(value);
        }
        headers['content-type'] = PROBLEM_CONTENT_TYPE;
        // An answer before the whole body arrived (a 413, say) closes the connection, as hapi's
        // does: the rest of the body is never read, so the connection cannot carry another request.
        if (!req.complete && hasRequestBody(method, req.headers)) headers['connection'] = 'close';
        for (const step of steps) step(request, headers);
        for (const name in headers) if (headers[name] === undefined) delete headers[name];
        headers['content-length'] = Buffer.byteLength(body);
        res.writeHead(failure.output.statusCode, headers as Record<string, string | number>);
        res.end(body);
      },
    );
    return true;
  };
}
