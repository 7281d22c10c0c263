// W3C Trace Context in and out of header objects: what a client sent (continued, or only linked
// when it is not trusted), and what an upstream attempt is sent (always ours, never the client's).
import {
  ROOT_CONTEXT,
  defaultTextMapGetter,
  defaultTextMapSetter,
  isSpanContextValid,
  trace,
  type Context,
  type Link,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';

type Headers = Record<string, string | string[] | undefined>;

/** Stateless, so one per process serves every gateway. */
const propagator = new W3CTraceContextPropagator();

export interface IncomingParent {
  /** The context a request's span starts in: the client's trace when trusted, else a new trace. */
  parent: Context;
  /** The client's trace when it is not continued, so a trace viewer can still follow it. */
  links?: Link[];
}

export function incomingParent(headers: Headers, trustIncoming: boolean): IncomingParent {
  if (headers.traceparent === undefined) return { parent: ROOT_CONTEXT };
  const sent = trace.getSpanContext(propagator.extract(ROOT_CONTEXT, headers, defaultTextMapGetter));
  if (!sent || !isSpanContextValid(sent)) return { parent: ROOT_CONTEXT };
  return trustIncoming
    ? { parent: trace.setSpanContext(ROOT_CONTEXT, sent) }
    : { parent: ROOT_CONTEXT, links: [{ context: sent }] };
}

/** Replaces any `traceparent` / `tracestate` in `headers` with the span's of `context`. */
export function injectTraceHeaders(context: Context, headers: Headers): void {
  delete headers.traceparent;
  delete headers.tracestate;
  propagator.inject(context, headers, defaultTextMapSetter);
}
