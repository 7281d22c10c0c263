// A server span per request: it continues the traceparent the gateway sent (services sit behind
// it, so the incoming context is trusted) and ends when hapi has answered.
import type { Request, Server } from '@hapi/hapi';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, defaultTextMapGetter, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_URL_PATH,
} from '@opentelemetry/semantic-conventions';
import { requestIdOf } from '../http/requestId.ts';
import { bindToRequestLog } from '../http/requestLogging.ts';
import { requestTraceOf, setRequestTrace } from './requestTrace.ts';
import type { ServiceTracing } from './serviceTracing.ts';

export function registerServiceTracing(server: Server, tracing: ServiceTracing): void {
  const propagator = new W3CTraceContextPropagator();
  const { tracer } = tracing;

  server.ext('onRequest', (request, h) => {
    const parent = propagator.extract(ROOT_CONTEXT, request.headers, defaultTextMapGetter);
    const method = request.method.toUpperCase();
    const span = tracer.startSpan(
      method,
      {
        kind: SpanKind.SERVER,
        startTime: request.info.received,
        attributes: {
          [ATTR_HTTP_REQUEST_METHOD]: method,
          [ATTR_URL_PATH]: request.path,
          'portico.request_id': requestIdOf(request),
        },
      },
      parent,
    );
    setRequestTrace(request, { span, context: trace.setSpan(parent, span), tracer });
    const { traceId, spanId } = span.spanContext();
    bindToRequestLog(request, { traceId, spanId });
    return h.continue;
  });

  server.events.on('response', (request: Request) => {
    const span = requestTraceOf(request)?.span;
    if (!span) return;
    const res = request.raw.res;
    const status = res.writableFinished
      ? ((request.response as { statusCode?: number } | null)?.statusCode ?? res.statusCode)
      : 499;
    span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status);
    // hapi's not-found route (method `_special`) has no template worth naming the span after.
    if ((request.route.method as string) !== '_special') {
      span.updateName(`${request.method.toUpperCase()} ${request.route.path}`);
      span.setAttribute(ATTR_HTTP_ROUTE, request.route.path);
    }
    if (status >= 500) {
      span.setAttribute(ATTR_ERROR_TYPE, String(status));
      span.setStatus({ code: SpanStatusCode.ERROR });
    }
    span.end();
  });

  server.ext('onPostStop', () => tracing.flush());
}
