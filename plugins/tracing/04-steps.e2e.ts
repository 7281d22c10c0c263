// The edge's own steps as spans: auth and the rate-limit checks (before and after auth) under the
// request's span, a refusal marked on the step that refused, and routes that turn tracing off.
import { fileURLToPath } from 'node:url';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  freePort,
  startTestGateway,
  startUpstream,
  until,
  type TestGateway,
  type TestUpstream,
} from '../../testing/index.ts';
import { createTracingPlugin } from './index.ts';

const headerAuthPlugin = fileURLToPath(new URL('./testing/headerAuthPlugin.ts', import.meta.url));
const spans = new InMemorySpanExporter();
let upstream: TestUpstream;
let gateway: TestGateway;

beforeAll(async () => {
  upstream = await startUpstream();
  // Nothing listens there: connections are refused.
  const closedPort = await freePort();
  gateway = await startTestGateway(
    {
      upstreams: {
        u: { url: upstream.url, health: false },
        gone: { url: `http://127.0.0.1:${closedPort}`, health: false },
      },
      plugins: [
        { module: headerAuthPlugin },
        {
          name: 'rate-limit',
          options: {
            policies: [
              { by: 'ip', points: 1000, per: '1m' },
              { by: 'user', points: 1, per: '1m' },
            ],
          },
        },
        { name: 'tracing' },
      ],
      routes: [
        { name: 'open', path: '/open/{rest*}', upstream: 'u' },
        { name: 'private', path: '/private/{rest*}', upstream: 'u', auth: 'required' },
        { name: 'quiet', path: '/quiet/{rest*}', upstream: 'u', plugins: { tracing: false } },
        { name: 'down', path: '/down/{rest*}', upstream: 'gone' },
      ],
    },
    { extraPlugins: [createTracingPlugin({ spanProcessors: [new SimpleSpanProcessor(spans)] })] },
  );
});
afterAll(async () => {
  await gateway?.stop();
  await upstream?.close();
});
beforeEach(() => {
  spans.reset();
  upstream.seen.length = 0;
});

/** Sends one request and waits for its span; returns the spans, the request's first. */
async function traced(path: string, headers: Record<string, string> = {}) {
  const response = await fetch(gateway.url + path, { headers });
  await response.arrayBuffer();
  // An attempt span ends when its answer's body is read, maybe just after the request's span.
  const ended = (kind: SpanKind) => spans.getFinishedSpans().some((span) => span.kind === kind);
  await until(
    'the request span ended',
    async () => ended(SpanKind.SERVER) && (upstream.seen.length === 0 || ended(SpanKind.CLIENT)),
  );
  const finished = spans.getFinishedSpans();
  const edge = finished.find((span) => span.kind === SpanKind.SERVER)!;
  const children = finished
    .filter((span) => span !== edge)
    .sort((a, b) => a.startTime[0] - b.startTime[0] || a.startTime[1] - b.startTime[1]);
  return { status: response.status, edge, children };
}

const named = (span: ReadableSpan) =>
  span.name === 'rate-limit' ? `rate-limit ${String(span.attributes['portico.phase'])}` : span.name;

describe('step spans', () => {
  it('auth and both rate-limit checks are children of the request, in lifecycle order', async () => {
    const { status, edge, children } = await traced('/private/1', { 'x-test-user': 'alice' });
    expect(status).toBe(200);
    expect(children.map(named)).toEqual(['rate-limit onPreAuth', 'auth', 'rate-limit onPostAuth', 'GET u']);
    for (const child of children) {
      expect(child.parentSpanContext?.spanId).toBe(edge.spanContext().spanId);
      expect(child.spanContext().traceId).toBe(edge.spanContext().traceId);
      expect(child.status.code).toBe(SpanStatusCode.UNSET);
    }
    expect(children[1]!.attributes).toMatchObject({
      'portico.auth.mode': 'required',
      'portico.auth.authenticated': true,
      'portico.auth.strategy': 'test-header-auth',
    });
  });

  it('marks the step that refused: the user limit (429), then auth (401)', async () => {
    const limited = await traced('/private/2', { 'x-test-user': 'alice' });
    expect(limited.status).toBe(429);
    const check = limited.children.find((span) => named(span) === 'rate-limit onPostAuth')!;
    expect(check.status).toEqual({ code: SpanStatusCode.ERROR, message: 'answered 429' });
    expect(limited.children.map(named)).not.toContain('GET u');
    // A 4xx is the client's: the request's span is not an error.
    expect(limited.edge.status.code).toBe(SpanStatusCode.UNSET);
    expect(limited.edge.attributes['http.response.status_code']).toBe(429);

    spans.reset();
    const refused = await traced('/private/3');
    expect(refused.status).toBe(401);
    expect(refused.children.map(named)).toEqual(['rate-limit onPreAuth', 'auth']);
    expect(refused.children[1]!.status).toEqual({ code: SpanStatusCode.ERROR, message: 'answered 401' });
  });

  it('a route without auth has no auth span', async () => {
    const { children } = await traced('/open/1');
    expect(children.map(named)).toEqual(['rate-limit onPreAuth', 'GET u']);
  });

  it('an upstream that cannot be reached: the attempt and the request are errors', async () => {
    const { status, edge, children } = await traced('/down/1');
    expect(status).toBe(502);
    expect(edge.status.code).toBe(SpanStatusCode.ERROR);
    expect(edge.attributes['error.type']).toBe('502');
    const attempt = children.find((span) => span.kind === SpanKind.CLIENT)!;
    expect(attempt.status.code).toBe(SpanStatusCode.ERROR);
    expect(attempt.attributes['error.type']).toBe('ECONNREFUSED');
  });

  it('an unmatched path: a span named by its method only', async () => {
    const { status, edge } = await traced('/nowhere');
    expect(status).toBe(404);
    expect(edge.name).toBe('GET');
    expect(edge.attributes['http.route']).toBeUndefined();
    expect(edge.attributes['http.response.status_code']).toBe(404);
  });

  it('a route with tracing: false gets no span and sends no traceparent', async () => {
    const response = await fetch(`${gateway.url}/quiet/1`);
    await response.arrayBuffer();
    expect(upstream.seen).toHaveLength(1);
    expect(upstream.seen[0]!.headers.traceparent).toBeUndefined();
    // A traced request after it: its span is the only one there is.
    const { edge } = await traced('/open/2');
    expect(spans.getFinishedSpans().filter((span) => span.kind === SpanKind.SERVER)).toEqual([edge]);
  });
});
