import { ROOT_CONTEXT, TraceFlags, trace } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { incomingParent, injectTraceHeaders } from './traceHeaders.ts';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN_ID = '00f067aa0ba902b7';
const SENT = `00-${TRACE_ID}-${SPAN_ID}-01`;

describe('incomingParent', () => {
  it('no traceparent: a new trace', () => {
    expect(incomingParent({}, true)).toEqual({ parent: ROOT_CONTEXT });
  });

  it('trusted: the client span is the parent, its tracestate kept', () => {
    const { parent, links } = incomingParent({ traceparent: SENT, tracestate: 'vendor=a' }, true);
    const context = trace.getSpanContext(parent);
    expect(context).toMatchObject({ traceId: TRACE_ID, spanId: SPAN_ID, isRemote: true });
    expect(context?.traceState?.get('vendor')).toBe('a');
    expect(links).toBeUndefined();
  });

  it('untrusted: a new trace with a link to the client span', () => {
    const { parent, links } = incomingParent({ traceparent: SENT }, false);
    expect(parent).toBe(ROOT_CONTEXT);
    expect(links?.map((link) => link.context.spanId)).toEqual([SPAN_ID]);
  });

  it('a malformed or all-zero traceparent is ignored, trusted or not', () => {
    for (const traceparent of [
      'garbage',
      `00-${'0'.repeat(32)}-${SPAN_ID}-01`,
      `00-${TRACE_ID}-${'0'.repeat(16)}-01`,
    ])
      for (const trust of [true, false])
        expect(incomingParent({ traceparent }, trust)).toEqual({ parent: ROOT_CONTEXT });
  });
});

describe('injectTraceHeaders', () => {
  it("replaces the client's traceparent and drops its tracestate", () => {
    const headers: Record<string, string | undefined> = {
      traceparent: SENT,
      tracestate: 'vendor=a',
      accept: '*/*',
    };
    const ours = trace.setSpanContext(ROOT_CONTEXT, {
      traceId: 'a'.repeat(32),
      spanId: 'b'.repeat(16),
      traceFlags: TraceFlags.NONE,
    });
    injectTraceHeaders(ours, headers);
    expect(headers).toEqual({ traceparent: `00-${'a'.repeat(32)}-${'b'.repeat(16)}-00`, accept: '*/*' });
  });
});
