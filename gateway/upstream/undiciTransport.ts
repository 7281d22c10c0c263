// The transport for calls a handler makes (BFFs, GraphQL executors): undici's Pool, one per
// upstream, kept alive for the gateway's life. undici 7 (Node >= 20.18.1) is the well-kept pooled
// client Node's own fetch is built on; its request() skips fetch's WHATWG stream overhead.
import type { Readable } from 'node:stream';
import { errors, Pool } from 'undici';
import type { UpstreamReply } from '../../contracts/upstream.ts';
import { UpstreamTimeout } from '../proxy/proxyErrors.ts';

export interface UndiciExchange {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body?: Buffer | string | Readable;
  signal?: AbortSignal;
  /** Time to the response headers. */
  timeout: number;
}

export function createPool(origin: string, options: { connections: number; connectTimeout: number }): Pool {
  return new Pool(origin, {
    connections: options.connections,
    connectTimeout: options.connectTimeout,
    // Idle sockets are kept a little under Node's server default (5 s), so the service never closes one we reuse.
    keepAliveTimeout: 4_000,
    pipelining: 1,
  });
}

/** Sends one exchange; socket errors come back with the Node codes the gateway classifies. */
export async function sendWithUndici(pool: Pool, exchange: UndiciExchange): Promise<UpstreamReply> {
  try {
    const response = await pool.request({
      method: exchange.method as 'GET',
      path: exchange.path,
      headers: exchange.headers as Record<string, string>,
      body: exchange.body,
      signal: exchange.signal,
      headersTimeout: exchange.timeout,
      // The body may be long (a PDF download): only the wait for the headers is bounded.
      bodyTimeout: 0,
    });
    return {
      status: response.statusCode,
      headers: response.headers as UpstreamReply['headers'],
      body: response.body as unknown as Readable,
    };
  } catch (error) {
    throw asNodeError(error);
  }
}

function asNodeError(error: unknown): unknown {
  if (error instanceof errors.ConnectTimeoutError) return new UpstreamTimeout('connect_timeout');
  if (error instanceof errors.HeadersTimeoutError) return new UpstreamTimeout('response_timeout');
  if (error instanceof errors.SocketError)
    return Object.assign(new Error('upstream socket closed'), { code: 'ECONNRESET' });
  // A refused connection arrives as the Node error itself, with its code (ECONNREFUSED, ENOTFOUND).
  return error;
}
