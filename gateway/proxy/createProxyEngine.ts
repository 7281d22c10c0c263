// The terminal step of a proxied route: hands the raw request to http-proxy and returns the
// upstream's answer to hapi as a stream, so onPreResponse plugins still see it and bodies are
// never buffered in either direction.
import type { ClientRequest, IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import Boom from '@hapi/boom';
import type { Lifecycle, Request, ResponseToolkit } from '@hapi/hapi';
import type { Logger } from 'pino';
import { Readable } from 'node:stream';
import type { UpstreamExchange, UpstreamInterceptor } from '../../contracts/plugin.ts';
import { BodyTooLarge, countingLimit } from './bodyLimit.ts';
import { rewriteForwardHeaders } from './forwardHeaders.ts';
import {
  boomForUpstreamError,
  classifyUpstreamError,
  UpstreamTimeout,
  type UpstreamErrorKind,
} from './proxyErrors.ts';
import type { Upstream } from './createUpstream.ts';
import { upstreamPath, type PathRewrite } from './upstreamPath.ts';

export interface ProxyRouteTarget {
  upstream: Upstream;
  rewrite: PathRewrite;
  responseTimeout: number;
  maxBodySize: number;
  websocket: boolean;
}

export interface ProxyHooks {
  requestIdHeader: string;
  /** Plugins' wrappers around each upstream exchange, outermost first; read when a route is built. */
  interceptors(): readonly UpstreamInterceptor[];
  onUpstreamError(upstream: string, kind: UpstreamErrorKind): void;
  requestLogger(request: Request): Logger;
}

interface PendingExchange {
  resolve(response: IncomingMessage): void;
  reject(error: Error): void;
  connectTimeout: number;
  settled: boolean;
  proxyReq?: ClientRequest;
}

class ClientClosed extends Error {}

const BODYLESS = new Set(['get', 'head', 'delete', 'options']);

/** Wires one upstream's http-proxy events to the exchanges in flight; returns the per-route handler factory. */
export function createProxyEngine(hooks: ProxyHooks) {
  const pending = new WeakMap<IncomingMessage, PendingExchange>();
  const wired = new WeakSet<Upstream>();

  function wire(upstream: Upstream): void {
    if (wired.has(upstream)) return;
    wired.add(upstream);
    upstream.proxy.on('proxyReq', (proxyReq: ClientRequest, req: IncomingMessage) => {
      const exchange = pending.get(req);
      if (!exchange) return;
      exchange.proxyReq = proxyReq;
      if (exchange.settled) {
        proxyReq.destroy();
        return;
      }
      const socket = proxyReq.socket as Socket | null;
      if (socket?.connecting) {
        const timer = setTimeout(
          () => proxyReq.destroy(new UpstreamTimeout('connect_timeout')),
          exchange.connectTimeout,
        );
        socket.once('connect', () => clearTimeout(timer));
        socket.once('close', () => clearTimeout(timer));
      }
    });
    upstream.proxy.on('proxyRes', (proxyRes: IncomingMessage, req: IncomingMessage) => {
      const exchange = pending.get(req);
      if (!exchange || exchange.settled) {
        proxyRes.resume();
        return;
      }
      exchange.settled = true;
      exchange.resolve(proxyRes);
    });
  }

  function forward(
    request: Request,
    target: ProxyRouteTarget,
    path: string,
    replayBody?: Buffer,
  ): Promise<IncomingMessage> {
    const req = request.raw.req;
    const { upstream } = target;
    return new Promise<IncomingMessage>((resolve, reject) => {
      const exchange: PendingExchange = {
        resolve: (response) => {
          clearTimeout(responseTimer);
          resolve(response);
        },
        reject: (error) => {
          clearTimeout(responseTimer);
          reject(error);
        },
        connectTimeout: upstream.config.connectTimeout,
        settled: false,
      };
      const responseTimer = setTimeout(() => {
        if (exchange.settled) return;
        exchange.settled = true;
        exchange.proxyReq?.destroy();
        exchange.reject(new UpstreamTimeout('response_timeout'));
      }, target.responseTimeout);
      pending.set(req, exchange);

      // issue 12: a body a plugin buffered (and perhaps rewrote) is sent instead of the client's stream.
      const buffered = request.plugins.portico?.body;
      if (buffered) replayBody = buffered;
      let body: Readable | undefined;
      if (replayBody) {
        req.headers['content-length'] = String(replayBody.length);
        delete req.headers['transfer-encoding'];
        body = Readable.from([replayBody]);
      } else if (!BODYLESS.has(request.method) && req.headers['content-length'] === undefined) {
        const limit = countingLimit(target.maxBodySize);
        limit.on('error', (error) => {
          if (exchange.settled) return;
          exchange.settled = true;
          exchange.proxyReq?.destroy();
          exchange.reject(error);
        });
        body = req.pipe(limit);
      }

      req.url = path;
      upstream.proxy.web(req, request.raw.res, { target: upstream.target, buffer: body }, (error) => {
        if (exchange.settled) return;
        exchange.settled = true;
        exchange.reject(error);
      });
    });
  }

  /** The hapi handler for a route that proxies to `target`. */
  function handler(target: ProxyRouteTarget): Lifecycle.Method {
    wire(target.upstream);
    // The interceptor chain is composed once per route; the innermost step is the exchange itself.
    const interceptors = hooks.interceptors();
    const exchangeThrough = (exchange: UpstreamExchange, path: string): Promise<IncomingMessage> => {
      const innermost = (options?: { body?: Buffer }) =>
        forward(exchange.request, target, path, options?.body);
      // A body an outer interceptor buffered flows to the inner ones (on `exchange.body`, and to their
      // `next()` calls that name none), so a retry inside a de-duplicator replays it too.
      const chain = interceptors.reduceRight<(options?: { body?: Buffer }) => Promise<IncomingMessage>>(
        (next, interceptor) => (outer) =>
          interceptor(outer?.body ? { ...exchange, body: outer.body } : exchange, (own) =>
            next(own ?? outer),
          ),
        innermost,
      );
      return chain();
    };
    return async (request: Request, h: ResponseToolkit) => {
      const context = request.plugins.portico!;
      const resolved = upstreamPath(request.url.pathname, target.rewrite);
      if (!resolved.ok) throw Boom.badRequest(resolved.reason);

      const declaredLength = request.headers['content-length'];
      if (declaredLength !== undefined && Number(declaredLength) > target.maxBodySize) {
        throw Boom.entityTooLarge(`request body larger than ${target.maxBodySize} bytes`);
      }

      rewriteForwardHeaders(request.raw.req, {
        requestId: context.requestId,
        requestIdHeader: hooks.requestIdHeader,
        clientIp: context.clientIp,
        protocol: request.server.info.protocol,
      });

      // A client that goes away must not leave the exchange open until the response timeout.
      // (A listener on the raw response, not request.events: podium validates every subscription.)
      const raw = request.raw;
      raw.res.once('close', () => {
        const open = pending.get(raw.req);
        if (!open || open.settled || raw.res.writableFinished) return;
        open.settled = true;
        open.proxyReq?.destroy();
        open.reject(new ClientClosed());
      });

      let upstreamResponse: IncomingMessage;
      try {
        const exchange = { request, upstream: target.upstream.name, method: request.method.toUpperCase() };
        upstreamResponse = await exchangeThrough(exchange, resolved.path + request.url.search);
      } catch (error) {
        if (Boom.isBoom(error)) throw error;
        if (error instanceof BodyTooLarge) throw Boom.entityTooLarge(error.message);
        if (error instanceof ClientClosed) return h.close;
        const kind = classifyUpstreamError(error as NodeJS.ErrnoException);
        hooks.onUpstreamError(target.upstream.name, kind);
        hooks.requestLogger(request).warn(
          {
            event: 'upstream_error',
            upstream: target.upstream.name,
            kind,
            code: (error as NodeJS.ErrnoException).code,
          },
          'upstream request failed',
        );
        throw boomForUpstreamError(kind, target.upstream.name);
      }
      // hapi copies the status and the end-to-end headers of an IncomingMessage source (passThrough).
      return h.response(upstreamResponse);
    };
  }

  return { handler };
}
