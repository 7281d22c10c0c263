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

/**
 * A request's place in a distributed trace (W3C Trace Context ids, lower-case hex), set on the
 * request by a tracing plugin when it made the request's span, and carried by the request's
 * exchanges so that plugin can parent their attempt spans on it. `handle` is that plugin's own
 * (opaque to everyone else); others read the ids only. Absent when no tracing plugin runs.
 */
export interface TraceContext {
  readonly traceId: string;
  readonly spanId: string;
  readonly handle?: unknown;
}

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
  /** The request's trace (`exchangeContext(request).trace`), so the call's attempts join it. */
  trace?: TraceContext;
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

/** What a route is, as an upstream step factory sees it when the route's pipeline is built. */
export interface RouteFacts {
  routeId: string;
  kind: 'proxy' | 'handler';
  /** The route's hapi path pattern (`/api/v1/programs/{rest*}`). */
  path: string;
  upstream: string;
  /** Upper-case methods, or '*'. */
  methods: readonly string[] | '*';
}

/**
 * One exchange with an upstream as the pipeline's steps see it: no hapi request, so it is the same
 * for a proxied request and a handler's call.
 */
export interface UpstreamExchange {
  upstream: string;
  routeId: string;
  /** Upper-case method. */
  method: string;
  /** Path on the upstream with its query string. */
  path: string;
  /** The path the client asked the edge for (proxied routes); a handler's calls have none. */
  clientPath?: string;
  /** Headers as they will be sent; a step may add to them (a trace context) before calling next. */
  headers: Record<string, string | string[] | undefined>;
  /** The body, when a step (or the route's body policy) buffered it; `next()` replays it. */
  body?: Buffer;
  /** True while a body still streams from the client: it can be sent once only. */
  streamed: boolean;
  caller: Caller;
  requestId: string;
  signal: AbortSignal;
  /** The trace of the request the exchange is made for, when a tracing plugin made one. */
  trace?: TraceContext;
  /**
   * The body read whole (once per request, however many steps ask), for a step that must see or
   * replay it; rejects with code `PORTICO_BODY_TOO_LARGE` past `maxBytes` (the client's fault).
   * Pass the exchange on with the result (`next({ ...exchange, body, streamed: false })`).
   */
  readBody(maxBytes: number): Promise<Buffer>;
}

/** The rest of the pipeline: pass the exchange on (a copy with `body` set to replay a buffered body). */
export type UpstreamNext = (exchange: UpstreamExchange) => Promise<UpstreamReply>;

/**
 * A step of a route's upstream pipeline. `next` performs the rest of it (it may be called again to
 * retry, with a buffered body). Steps are composed once per route, so a step keeps no
 * per-request state outside its own call. It resolves with the upstream's answer (any status) and rejects
 * with an error whose `code` is `PORTICO_CONNECT_TIMEOUT`, `PORTICO_RESPONSE_TIMEOUT`,
 * `PORTICO_BODY_TOO_LARGE` (the client's fault, never the upstream's), `PORTICO_CLIENT_CLOSED`,
 * a Node socket code, or with a Boom a step raised (passed to the client as it is).
 */
export type UpstreamInterceptor = (exchange: UpstreamExchange, next: UpstreamNext) => Promise<UpstreamReply>;

/**
 * The fixed order of the upstream pipeline, outermost first (CONFIG.md, "The upstream pipeline"):
 * admission (adaptive concurrency) → dedup (coalescing, Idempotency-Key) → retry → breaker →
 * attempt (per-attempt observers such as tracing) → transport.
 */
export const UPSTREAM_STAGES = ['admission', 'dedup', 'retry', 'breaker', 'attempt'] as const;
export type UpstreamStage = (typeof UPSTREAM_STAGES)[number];

/** A plugin's contribution to upstream pipelines: asked once per route, when the route is built. */
export interface UpstreamStep<TRouteOptions = unknown> {
  stage: UpstreamStage;
  /** The step for this route, or undefined for none (the route then has no step of this plugin). */
  build(route: RouteFacts, routeOptions: TRouteOptions | undefined): UpstreamInterceptor | undefined;
}
