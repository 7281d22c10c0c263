// A span for one step of the edge's lifecycle (auth, a rate-limit check), child of the request's
// span. Steps follow one another, so a request has at most one open at a time.
import { SpanStatusCode, type Attributes, type Tracer } from '@opentelemetry/api';
import type { RequestTracing } from './requestSpan.ts';

export function startStep(tracer: Tracer, state: RequestTracing, name: string, attributes: Attributes): void {
  if (state.step) endStep(state);
  state.step = { name, span: tracer.startSpan(name, { attributes }, state.context) };
}

/** Ends the open step, if any; `failure` marks it as the step that refused (or failed) the request. */
export function endStep(state: RequestTracing, attributes?: Attributes, failure?: string): void {
  const step = state.step;
  if (!step) return;
  state.step = undefined;
  if (attributes) step.span.setAttributes(attributes);
  if (failure) step.span.setStatus({ code: SpanStatusCode.ERROR, message: failure });
  step.span.end();
}
