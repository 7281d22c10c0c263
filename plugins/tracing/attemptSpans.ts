// The pipeline step at stage "attempt": inside retry and the breaker, so every attempt at an
// upstream (a proxied request's, a handler's call, a GraphQL subgraph call) is its own client span,
// child of the request's span, and the upstream is sent that span's traceparent.
import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Tracer,
} from '@opentelemetry/api';
import {
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_REQUEST_RESEND_COUNT,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_URL_FULL,
} from '@opentelemetry/semantic-conventions';
import Boom from '@hapi/boom';
import type {
  RouteFacts,
  TraceContext,
  UpstreamExchange,
  UpstreamInterceptor,
} from '../../contracts/upstream.ts';
import { injectTraceHeaders } from './traceHeaders.ts';

/** The parent of an exchange's attempts: its request's span; an exchange made for no request starts a trace. */
function parentOf(requestTrace: TraceContext | undefined): Context {
  const handle = requestTrace?.handle as Partial<Context> | undefined;
  // The handle is the context this plugin put on the request (plugins/tracing/requestSpan.ts).
  return typeof handle?.getValue === 'function' ? (handle as Context) : ROOT_CONTEXT;
}

/** The attempt step of one route; `upstreamUrl` is the upstream's base URL. */
export function attemptSpans(
  tracer: Tracer,
  route: RouteFacts,
  upstreamUrl: string | undefined,
): UpstreamInterceptor {
  const base = upstreamUrl ? new URL(upstreamUrl) : undefined;
  const origin = base?.origin ?? '';
  const fixed: Attributes = {
    'portico.upstream': route.upstream,
    'portico.route_id': route.routeId,
    'portico.route_kind': route.kind,
  };
  if (base) {
    fixed[ATTR_SERVER_ADDRESS] = base.hostname;
    fixed[ATTR_SERVER_PORT] = Number(base.port || (base.protocol === 'https:' ? 443 : 80));
  }
  // Retry hands every attempt of one exchange the same object: the attempt number is counted on it.
  const attempts = new WeakMap<UpstreamExchange, number>();

  return async (exchange, next) => {
    const attempt = (attempts.get(exchange) ?? 0) + 1;
    attempts.set(exchange, attempt);
    const query = exchange.path.indexOf('?');
    const attributes: Attributes = {
      ...fixed,
      [ATTR_HTTP_REQUEST_METHOD]: exchange.method,
      // Without the query string: it can carry personal data (as in the access log).
      [ATTR_URL_FULL]: origin + (query === -1 ? exchange.path : exchange.path.slice(0, query)),
      'portico.attempt': attempt,
    };
    if (attempt > 1) attributes[ATTR_HTTP_REQUEST_RESEND_COUNT] = attempt - 1;
    const parent = parentOf(exchange.trace);
    const span = tracer.startSpan(
      `${exchange.method} ${route.upstream}`,
      { kind: SpanKind.CLIENT, attributes },
      parent,
    );

    const headers = { ...exchange.headers };
    injectTraceHeaders(trace.setSpan(parent, span), headers);
    try {
      const reply = await next({ ...exchange, headers });
      span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, reply.status);
      // Client spans: 4xx and 5xx are errors (semantic conventions).
      if (reply.status >= 400) {
        span.setAttribute(ATTR_ERROR_TYPE, String(reply.status));
        span.setStatus({ code: SpanStatusCode.ERROR });
      }
      // The attempt lasts until its answer's body has been read (or dropped).
      if (reply.body.closed) span.end();
      else reply.body.once('close', () => span.end());
      return reply;
    } catch (error) {
      const code = Boom.isBoom(error)
        ? String(error.output.statusCode)
        : ((error as NodeJS.ErrnoException).code ?? 'error');
      span.setAttribute(ATTR_ERROR_TYPE, code);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
      span.end();
      throw error;
    }
  };
}
