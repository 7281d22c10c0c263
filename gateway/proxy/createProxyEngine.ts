// The http-proxy transport of proxied routes: the innermost step of their upstream pipeline. Bodies
// stream both ways; a buffered body (read by the route's body policy or a step) is replayed as is.
import type { ClientRequest, IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { Readable } from 'node:stream';
import type { UpstreamExchange, UpstreamReply } from '../../contracts/upstream.ts';
import { countingLimit } from '../core/requestBody.ts';
import type { Upstream } from './createUpstream.ts';
import { UpstreamTimeout } from './proxyErrors.ts';

/** A proxied route's exchange: the contract's, plus the client's own request and response. */
export interface ProxiedExchange extends UpstreamExchange {
  source: IncomingMessage;
  sink: ServerResponse;
  /** Time to the response headers. */
  timeout: number;
  /** Largest body a streamed request may send (counted when it has no declared length). */
  maxBodySize: number;
}

export class ClientClosed extends Error {
  readonly code = 'PORTICO_CLIENT_CLOSED';
  constructor() {
    super('the client closed the request');
  }
}

interface PendingAttempt {
  resolve(reply: UpstreamReply): void;
  fail(error: Error): void;
  connectTimeout: number;
  settled: boolean;
  proxyReq?: ClientRequest;
}

export interface ProxyTransport {
  (exchange: UpstreamExchange): Promise<UpstreamReply>;
  /** Stops listening to the upstream's proxy (a retired build's transport; the proxy outlives builds). */
  close(): void;
}

/**
 * One per upstream and build: wires http-proxy's events to the attempts in flight. The proxy is
 * the upstream's, shared by every build while its settings stay the same, so each transport
 * answers only for its own requests.
 */
export function createProxyTransport(upstream: Upstream): ProxyTransport {
  const pending = new WeakMap<IncomingMessage, PendingAttempt>();

  const onProxyReq = (proxyReq: ClientRequest, req: IncomingMessage) => {
    const attempt = pending.get(req);
    if (!attempt) return;
    attempt.proxyReq = proxyReq;
    if (attempt.settled) {
      proxyReq.destroy();
      return;
    }
    const socket = proxyReq.socket as Socket | null;
    if (socket?.connecting) {
      const timer = setTimeout(
        () => proxyReq.destroy(new UpstreamTimeout('connect_timeout')),
        attempt.connectTimeout,
      );
      // Both listeners go at the first of the two: a 'close' listener left on a kept-alive socket
      // would hold this first request (and its client's response) for the socket's whole life.
      const settle = () => {
        clearTimeout(timer);
        socket.off('connect', settle);
        socket.off('close', settle);
      };
      socket.once('connect', settle);
      socket.once('close', settle);
    }
  };
  const onProxyRes = (proxyRes: IncomingMessage, req: IncomingMessage) => {
    const attempt = pending.get(req);
    // Another build's request (after a reload both listen to the same proxy): not ours to drain.
    if (!attempt) return;
    if (attempt.settled) {
      proxyRes.resume();
      return;
    }
    attempt.settled = true;
    // Dropped at once, not left to the key's death: a WeakMap holding every request in flight
    // since the last full GC made each scavenge slower (and promoted the requests it kept).
    pending.delete(req);
    attempt.resolve({ status: proxyRes.statusCode ?? 502, headers: proxyRes.headers, body: proxyRes });
  };
  upstream.proxy.on('proxyReq', onProxyReq);
  upstream.proxy.on('proxyRes', onProxyRes);

  const send = function send(plain: UpstreamExchange): Promise<UpstreamReply> {
    const exchange = plain as ProxiedExchange;
    const req = exchange.source;
    return new Promise<UpstreamReply>((resolve, reject) => {
      // The client's own response tells when it left (cheaper than an AbortSignal per request).
      const sink = exchange.sink;
      const onClose = () => {
        if (!sink.writableFinished) attempt.fail(new ClientClosed());
      };
      const finish = () => {
        clearTimeout(timer);
        sink.off('close', onClose);
      };
      const attempt: PendingAttempt = {
        resolve: (reply) => {
          finish();
          resolve(reply);
        },
        // The first failure wins: a body over the limit stays the client's fault even when the
        // upstream then resets the half-sent request.
        fail: (error) => {
          if (attempt.settled) return;
          attempt.settled = true;
          finish();
          attempt.proxyReq?.destroy();
          reject(error);
        },
        connectTimeout: upstream.config.connectTimeout,
        settled: false,
      };
      const timer = setTimeout(() => attempt.fail(new UpstreamTimeout('response_timeout')), exchange.timeout);
      if (sink.destroyed && !sink.writableFinished) return attempt.fail(new ClientClosed());
      sink.once('close', onClose);
      pending.set(req, attempt);

      const headers = exchange.headers;
      let body: Readable | undefined;
      if (exchange.body) {
        headers['content-length'] = String(exchange.body.length);
        delete headers['transfer-encoding'];
        body = Readable.from([exchange.body]);
      } else if (exchange.streamed && headers['content-length'] === undefined) {
        const limit = countingLimit(exchange.maxBodySize);
        limit.on('error', (error) => attempt.fail(error));
        body = req.pipe(limit);
      }
      // http-proxy builds the upstream request from req's method, url and headers.
      req.headers = headers as IncomingMessage['headers'];
      req.url = exchange.path;
      upstream.proxy.web(req, exchange.sink, { target: upstream.target, buffer: body }, (error) =>
        attempt.fail(error),
      );
    });
  } as ProxyTransport;
  send.close = () => {
    upstream.proxy.off('proxyReq', onProxyReq);
    upstream.proxy.off('proxyRes', onProxyRes);
  };
  return send;
}
