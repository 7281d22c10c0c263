// A typed client for one upstream on behalf of one route: builds the exchange (identity headers
// from the verified caller, the request id, a JSON body), sends it through the route's pipeline
// (the same steps a proxied request passes) and turns failures into problem+json errors.
import type { Readable } from 'node:stream';
import type {
  JsonReply,
  UpstreamCall,
  UpstreamClient,
  UpstreamExchange,
  UpstreamReply,
} from '../../contracts/upstream.ts';
import { readReplyBody } from '../../contracts/upstream.ts';
import Boom from '@hapi/boom';
import { BodyTooLarge, readBounded } from '../core/requestBody.ts';
import type { Upstream } from '../proxy/createUpstream.ts';
import type { Pipeline } from './composePipeline.ts';
import { CLIENT_GONE, failureToBoom, type UpstreamErrorListener } from './failureToBoom.ts';
import { setIdentityHeaders } from './identityHeaders.ts';
import { sendWithUndici } from './undiciTransport.ts';

/** A handler's exchange: the contract's, plus a streamed body and its timeout. */
export interface ClientExchange extends UpstreamExchange {
  stream?: Readable;
  timeout: number;
}

export interface UpstreamClientParts {
  requestIdHeader: string;
  /** The route's pipeline, resolved on first use (routes are built after plugins register). */
  pipeline(): Pipeline;
  onUpstreamError: UpstreamErrorListener;
}

/** The innermost step of a handler's pipeline: undici's pool of the upstream. */
export function undiciTransport(upstream: Upstream): Pipeline {
  return (plain) => {
    const exchange = plain as ClientExchange;
    return sendWithUndici(upstream.pool, {
      method: exchange.method,
      path: exchange.path,
      headers: exchange.headers,
      body: exchange.body ?? exchange.stream,
      signal: exchange.signal,
      timeout: exchange.timeout,
    });
  };
}

// Never forwarded from a handler's call: the browser's session, hop-by-hop headers, a stale length.
const DROPPED = new Set([
  'cookie',
  'host',
  'connection',
  'keep-alive',
  'content-length',
  'transfer-encoding',
  'te',
  'upgrade',
]);
const MAX_STREAMED_READ = 16 * 1024 * 1024;

export function createUpstreamClient(
  upstream: Upstream,
  routeId: string,
  parts: UpstreamClientParts,
): UpstreamClient {
  const neverAborted = new AbortController().signal;
  let pipeline: Pipeline | undefined;

  async function request(call: UpstreamCall): Promise<UpstreamReply> {
    const headers: Record<string, string | string[] | undefined> = {};
    for (const [name, value] of Object.entries(call.headers ?? {})) {
      const lower = name.toLowerCase();
      if (value !== undefined && !DROPPED.has(lower)) headers[lower] = value;
    }
    setIdentityHeaders(headers, call.caller);
    headers[parts.requestIdHeader] = call.requestId;
    headers['x-forwarded-for'] = call.caller.ip;

    let body: Buffer | undefined;
    let stream: Readable | undefined;
    if (call.json !== undefined) {
      body = Buffer.from(JSON.stringify(call.json));
      headers['content-type'] = 'application/json';
    } else if (typeof call.body === 'string') body = Buffer.from(call.body);
    else if (Buffer.isBuffer(call.body)) body = call.body;
    else stream = call.body;
    if (body) headers['content-length'] = String(body.length);

    let read: Promise<Buffer> | undefined;
    const exchange: ClientExchange = {
      upstream: upstream.name,
      routeId,
      method: call.method.toUpperCase(),
      path: upstream.basePath + call.path,
      headers,
      body,
      streamed: stream !== undefined,
      caller: call.caller,
      requestId: call.requestId,
      signal: call.signal ?? neverAborted,
      trace: call.trace,
      readBody: (maxBytes) => {
        if (body)
          return body.length > maxBytes ? Promise.reject(new BodyTooLarge(maxBytes)) : Promise.resolve(body);
        read ??= readBounded(stream as never, Math.min(maxBytes, MAX_STREAMED_READ));
        return read;
      },
      stream,
      timeout: call.timeout ?? upstream.config.timeout,
    };
    try {
      return await (pipeline ??= parts.pipeline())(exchange);
    } catch (error) {
      const failure = failureToBoom(error, upstream.name, call.requestId, parts.onUpstreamError);
      if (failure === CLIENT_GONE || exchange.signal.aborted)
        throw Boom.clientTimeout('the exchange was aborted');
      throw failure;
    }
  }

  return {
    upstream: upstream.name,
    routeId,
    request,
    async json<T>(call: UpstreamCall): Promise<JsonReply<T>> {
      const reply = await request({ ...call, headers: { accept: 'application/json', ...call.headers } });
      const raw = await readReplyBody(reply);
      let data: unknown;
      if (raw.length > 0) {
        try {
          data = JSON.parse(raw.toString('utf8'));
        } catch {
          throw Boom.badGateway(
            `upstream "${upstream.name}" answered ${reply.status} with a body that is not JSON`,
          );
        }
      }
      return { status: reply.status, headers: reply.headers, data: data as T };
    },
  };
}
