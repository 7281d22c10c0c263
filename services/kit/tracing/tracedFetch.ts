// Outgoing calls a service makes for a request carry the request's trace: a client span per call
// when the service traces, else the traceparent the gateway sent, passed on unchanged, so a
// service with tracing off does not break the trace of the services behind it.
import type { Request } from '@hapi/hapi';
import { SpanKind, SpanStatusCode, defaultTextMapSetter, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_SERVER_ADDRESS,
} from '@opentelemetry/semantic-conventions';
import { requestTraceOf } from './requestTrace.ts';

/** Stateless, so one per process serves every service. */
const propagator = new W3CTraceContextPropagator();

/** `traceparent` / `tracestate` for a call made on behalf of `request` without a span of its own. */
export function outgoingTraceHeaders(request: Request): Record<string, string> {
  const headers: Record<string, string> = {};
  const own = requestTraceOf(request);
  if (own) {
    propagator.inject(own.context, headers, defaultTextMapSetter);
    return headers;
  }
  const { traceparent, tracestate } = request.headers as Record<string, string | undefined>;
  if (traceparent) headers.traceparent = traceparent;
  if (traceparent && tracestate) headers.tracestate = tracestate;
  return headers;
}

/** `fetch` on behalf of `request`: a client span (when the service traces) and its traceparent sent. */
export async function tracedFetch(
  request: Request,
  url: string | URL,
  init: RequestInit = {},
): Promise<Response> {
  const own = requestTraceOf(request);
  const headers = new Headers(init.headers);
  if (!own) {
    for (const [name, value] of Object.entries(outgoingTraceHeaders(request))) headers.set(name, value);
    return fetch(url, { ...init, headers });
  }
  const target = new URL(url);
  const method = (init.method ?? 'GET').toUpperCase();
  const span = own.tracer.startSpan(
    `${method} ${target.host}`,
    {
      kind: SpanKind.CLIENT,
      attributes: { [ATTR_HTTP_REQUEST_METHOD]: method, [ATTR_SERVER_ADDRESS]: target.hostname },
    },
    own.context,
  );
  const carrier: Record<string, string> = {};
  propagator.inject(trace.setSpan(own.context, span), carrier, defaultTextMapSetter);
  for (const [name, value] of Object.entries(carrier)) headers.set(name, value);
  try {
    const response = await fetch(url, { ...init, headers });
    span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, response.status);
    if (response.status >= 400) {
      span.setAttribute(ATTR_ERROR_TYPE, String(response.status));
      span.setStatus({ code: SpanStatusCode.ERROR });
    }
    return response;
  } catch (error) {
    span.setAttribute(ATTR_ERROR_TYPE, (error as Error).name);
    span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
    throw error;
  } finally {
    span.end();
  }
}
