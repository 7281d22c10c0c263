// A service request's place in the trace: the server span the kit made for it (continuing the
// gateway's traceparent), kept on `request.app` for the request's outgoing calls.
import type { Request } from '@hapi/hapi';
import type { Context, Span, Tracer } from '@opentelemetry/api';

export interface RequestTrace {
  span: Span;
  /** The context with `span` in it: the parent of the request's outgoing calls. */
  context: Context;
  tracer: Tracer;
}

export function requestTraceOf(request: Request): RequestTrace | undefined {
  return (request.app as { trace?: RequestTrace }).trace;
}

export function setRequestTrace(request: Request, trace: RequestTrace): void {
  (request.app as { trace?: RequestTrace }).trace = trace;
}
