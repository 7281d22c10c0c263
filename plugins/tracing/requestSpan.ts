// The server span of one request at the edge: it starts when hapi received the request, ends when
// the answer was sent (or the client left), and is the parent of the request's step and attempt spans.
import type { EdgeRequest } from '../../contracts/plugin.ts';
import {
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import {
  ATTR_CLIENT_ADDRESS,
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_NETWORK_PROTOCOL_VERSION,
  ATTR_URL_PATH,
  ATTR_URL_SCHEME,
  ATTR_USER_AGENT_ORIGINAL,
} from '@opentelemetry/semantic-conventions';
import { endStep } from './stepSpan.ts';
import { incomingParent } from './traceHeaders.ts';

/** What this plugin keeps on `request.plugins.tracing`. */
export interface RequestTracing {
  span: Span;
  /** The context with `span` in it: the parent of the request's other spans. */
  context: Context;
  /** The auth or rate-limit span while that step runs. */
  step?: { span: Span; name: string };
}

declare module '@hapi/hapi' {
  interface PluginsStates {
    tracing?: RequestTracing;
  }
}

export function startRequestSpan(
  tracer: Tracer,
  request: EdgeRequest,
  trustIncoming: boolean,
): RequestTracing {
  const headers = request.raw.req.headers;
  const { parent, links } = incomingParent(headers, trustIncoming);
  const method = request.method.toUpperCase();
  const portico = request.plugins.portico;
  const attributes: Attributes = {
    [ATTR_HTTP_REQUEST_METHOD]: method,
    [ATTR_URL_PATH]: request.path,
    [ATTR_URL_SCHEME]: (request.raw.req.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http',
    [ATTR_NETWORK_PROTOCOL_VERSION]: request.raw.req.httpVersion,
  };
  const userAgent = headers['user-agent'];
  if (userAgent) attributes[ATTR_USER_AGENT_ORIGINAL] = userAgent;
  if (portico) {
    attributes[ATTR_CLIENT_ADDRESS] = portico.clientIp;
    attributes['portico.request_id'] = portico.requestId;
  }
  const span = tracer.startSpan(
    method,
    { kind: SpanKind.SERVER, startTime: request.info.received, attributes, links },
    parent,
  );
  const state: RequestTracing = { span, context: trace.setSpan(parent, span) };
  request.plugins.tracing = state;
  if (portico) {
    const { traceId, spanId } = span.spanContext();
    portico.trace = { traceId, spanId, handle: state.context };
  }
  return state;
}

export function endRequestSpan(state: RequestTracing, request: EdgeRequest, status: number): void {
  const { span } = state;
  const method = request.method.toUpperCase();
  const portico = request.plugins.portico;
  // A step still open was cut short by the answer: the step refused the request (401, 429), or failed.
  if (state.step) endStep(state, { [ATTR_HTTP_RESPONSE_STATUS_CODE]: status }, `answered ${status}`);

  span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status);
  if (portico && portico.routeId !== 'unmatched') {
    span.updateName(`${method} ${request.route.path}`);
    span.setAttribute(ATTR_HTTP_ROUTE, request.route.path);
    span.setAttribute('portico.route_id', portico.routeId);
    if (portico.upstream) span.setAttribute('portico.upstream', portico.upstream);
  }
  // Server spans: only the edge's own failures are errors (semantic conventions: 5xx, not 4xx).
  if (status >= 500) {
    span.setAttribute(ATTR_ERROR_TYPE, String(status));
    span.setStatus({ code: SpanStatusCode.ERROR });
  }
  span.end();
}
