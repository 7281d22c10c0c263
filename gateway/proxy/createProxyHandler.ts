// The handler of a proxied route, built once per route: its exchange goes through the route's
// upstream pipeline, and the answer is written straight to the client unless a plugin on the
// route must read it (then it goes back through hapi). The same exchange serves the fast path
// (gateway/routes/createFastDispatch.ts), which answers without hapi's lifecycle.
import Boom from '@hapi/boom';
import type { IncomingMessage } from 'node:http';
import type { Lifecycle, Request, ResponseToolkit } from '@hapi/hapi';
import type { EdgeRequest, ResponseHeaderStep } from '../../contracts/plugin.ts';
import type { Caller, UpstreamExchange, UpstreamReply } from '../../contracts/upstream.ts';
import { BodyTooLarge, hasRequestBody } from '../core/requestBody.ts';
import { withLazySignal } from '../upstream/exchangeContext.ts';
import { CLIENT_GONE, failureToBoom, type UpstreamErrorListener } from '../upstream/failureToBoom.ts';
import type { Upstream } from './createUpstream.ts';
import type { ProxiedExchange } from './createProxyEngine.ts';
import { forwardHeaders } from './forwardHeaders.ts';
import { upstreamPath, type PathRewrite } from './upstreamPath.ts';
import { asPassThrough, writeReply } from './writeReply.ts';

export interface ProxyRouteTarget {
  upstream: Upstream;
  rewrite: PathRewrite;
  responseTimeout: number;
  maxBodySize: number;
  websocket: boolean;
  /** Read the whole body (bounded) before the exchange, so an oversized one never reaches the upstream. */
  bufferBody: boolean;
}

export interface ProxyHandlerParts {
  routeId: string;
  requestIdHeader: string;
  pipeline(exchange: UpstreamExchange): Promise<UpstreamReply>;
  /** No plugin on this route reads answers: write them straight to the client. */
  direct: boolean;
  responseSteps: readonly ResponseHeaderStep[];
  readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer>;
  exchangeContext(request: EdgeRequest): { caller: Caller; requestId: string; signal: AbortSignal };
  onUpstreamError: UpstreamErrorListener;
}

/** A route's exchange: the upstream's reply, or that the client left (a failure is thrown as a Boom). */
export type ProxyExchange = (
  request: EdgeRequest,
  protocol: string,
) => Promise<UpstreamReply | typeof CLIENT_GONE>;

export function createProxyExchange(target: ProxyRouteTarget, parts: ProxyHandlerParts): ProxyExchange {
  const { upstream, maxBodySize } = target;
  return async (request, protocol) => {
    const resolved = upstreamPath(request.url.pathname, target.rewrite);
    if (!resolved.ok) throw Boom.badRequest(resolved.reason);

    const req = request.raw.req;
    const method = req.method ?? 'GET';
    const declared = req.headers['content-length'];
    if (declared !== undefined && Number(declared) > maxBodySize) {
      throw Boom.entityTooLarge(`request body larger than ${maxBodySize} bytes`);
    }
    const hasBody = hasRequestBody(method, req.headers);
    const context = parts.exchangeContext(request);
    const { caller, requestId } = context;

    // 1. The body: one a plugin already read (validation, transform), or the route's policy reads it now.
    let body = request.plugins.portico?.body;
    if (!body && hasBody && target.bufferBody) {
      try {
        body = await parts.readBody(req, maxBodySize);
      } catch (error) {
        if (error instanceof BodyTooLarge) throw Boom.entityTooLarge(error.message);
        return CLIENT_GONE;
      }
    }
    const buffered = body;
    const exchange = withLazySignal<Omit<ProxiedExchange, 'signal'>>(
      {
        upstream: upstream.name,
        routeId: parts.routeId,
        method,
        path: resolved.path + request.url.search,
        clientPath: request.path,
        headers: forwardHeaders(req.headers, {
          requestId,
          requestIdHeader: parts.requestIdHeader,
          caller,
          protocol,
        }),
        body,
        streamed: hasBody && !body,
        caller,
        requestId,
        trace: request.plugins.portico?.trace,
        readBody: (maxBytes) =>
          buffered
            ? buffered.length > maxBytes
              ? Promise.reject(new BodyTooLarge(maxBytes))
              : Promise.resolve(buffered)
            : parts.readBody(req, Math.min(maxBytes, maxBodySize)),
        source: req,
        sink: request.raw.res,
        timeout: target.responseTimeout,
        maxBodySize,
      },
      context,
    );

    // 2. The exchange, through the route's pipeline.
    try {
      return await parts.pipeline(exchange);
    } catch (error) {
      const failure = failureToBoom(error, upstream.name, requestId, parts.onUpstreamError);
      if (failure === CLIENT_GONE) return CLIENT_GONE;
      throw failure;
    }
  };
}

export function createProxyHandler(exchange: ProxyExchange, parts: ProxyHandlerParts): Lifecycle.Method {
  return async (request: Request, h: ResponseToolkit) => {
    const reply = await exchange(request, request.server.info.protocol);
    if (reply === CLIENT_GONE) return h.close;
    if (parts.direct) {
      writeReply(request, reply, parts.responseSteps);
      return h.abandon;
    }
    return h.response(asPassThrough(reply));
  };
}
