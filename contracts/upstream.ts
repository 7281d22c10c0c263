// The upstream client: one exchange with a service, independent of hapi, so a proxied request, a
// BFF handler's call and a GraphQL subschema call all pass through the same protection (adaptive
// limit, coalescing, Idempotency-Key dedup, retry with budget, circuit breaker).
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';

/**
 * Who an exchange is made for. The gateway turns it into the internal identity headers
 * (`x-user-id`, `x-user-roles`, `x-user-scopes`, `x-user-issuer`, `x-api-key-id`, `x-api-key-owner`) that services
 * trust; identity headers in `UpstreamCall.headers` are always dropped.
 */
export interface Caller {
  /** The client's address after the trusted-proxy rules. */
  ip: string;
  userId?: string;
  roles?: readonly string[];
  scopes?: readonly string[];
  issuer?: string;
  /** The API key's id, when the caller authenticated with a key. */
  apiKeyId?: string;
  apiKeyOwner?: string;
}

export type UpstreamBody = Buffer | string | Readable;

/** One call to an upstream, as a plugin or BFF handler makes it. */
export interface UpstreamCall {
  /** Upper-case HTTP method. */
  method: string;
  /** Path on the upstream with its query string (`/programs?limit=5`); the upstream's base path goes in front. */
  path: string;
  headers?: Record<string, string | undefined>;
  body?: UpstreamBody;
  /** A JSON body: serialised, with `content-type: application/json`. Not with `body`. */
  json?: unknown;
  caller: Caller;
  /** Sent as the gateway's request-id header, so one id follows the request into the services. */
  requestId: string;
  /** Aborts the exchange (the client went away, a BFF deadline passed). */
  signal?: AbortSignal;
  /** Time to the response headers; defaults to the route's, else the upstream's timeout. */
  timeout?: number;
}

/** The upstream's answer. `body` must be consumed (or `body.resume()`d) by whoever receives it. */
export interface UpstreamReply {
  status: number;
  headers: IncomingHttpHeaders;
  body: Readable;
}

export interface JsonReply<T> {
  status: number;
  headers: IncomingHttpHeaders;
  /** The parsed body; `undefined` for an empty body. */
  data: T;
}

/**
 * A client for one upstream, bound to the route it is used from: the route's pipeline (and its
 * per-route plugin options) applies to every call. Calls reject with a Boom error the protection
 * raised (503 circuit open or at the concurrency limit, 504 on a timeout, 502 when the upstream
 * cannot be reached), never with a raw socket error; any status the upstream sends resolves.
 */
export interface UpstreamClient {
  readonly upstream: string;
  readonly routeId: string;
  request(call: UpstreamCall): Promise<UpstreamReply>;
  /** `request` and read the body as JSON (accepting a `json` body to send). */
  json<T = unknown>(call: UpstreamCall): Promise<JsonReply<T>>;
}

/** Reads a reply's body whole, bounded; larger bodies reject with a 502 Boom. */
export async function readReplyBody(reply: UpstreamReply, maxBytes = 16 * 1024 * 1024): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of reply.body) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) {
      reply.body.destroy();
      throw Object.assign(new Error(`upstream answer larger than ${maxBytes} bytes`), {
        code: 'PORTICO_REPLY_TOO_LARGE',
      });
    }
    chunks.push(chunk as Buffer);
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
}
