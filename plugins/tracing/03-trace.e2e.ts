// Done when: one request through a real gateway to a real service on the services' kit makes one
// trace, the gateway's attempts (the first fails, retry sends a second) are separate spans, and the
// service's span is the child of the attempt it received.
import type { IncomingHttpHeaders } from 'node:http';
import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createServiceTracing, tracedFetch, type ServiceTracing } from '../../services/kit/index.ts';
import {
  startTestGateway,
  startUpstream,
  until,
  type PorticoConfigInput,
  type TestGateway,
  type TestUpstream,
} from '../../testing/index.ts';
import { createTracingPlugin } from './index.ts';
import { startKitService, type KitService } from './testing/startKitService.ts';

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-0[01]$/;

const gatewaySpans = new InMemorySpanExporter();
const serviceSpans = new InMemorySpanExporter();
let serviceTracing: ServiceTracing;
let downstream: TestUpstream;
let service: KitService;
let plain: TestUpstream;
const gateways: TestGateway[] = [];
const hits = new Map<string, number>();

beforeAll(async () => {
  downstream = await startUpstream();
  plain = await startUpstream();
  serviceTracing = createServiceTracing({
    serviceName: 'things',
    spanProcessors: [new SimpleSpanProcessor(serviceSpans)],
  });
  service = await startKitService(
    [
      {
        method: 'GET',
        path: '/things/{id}',
        // Each thing fails its first request (a 503 retry sends again), then asks a service behind.
        async handler(request, h) {
          const id = request.params.id as string;
          const seen = hits.get(id) ?? 0;
          hits.set(id, seen + 1);
          if (seen === 0) return h.response({ title: 'busy' }).code(503);
          const detail = await tracedFetch(request, `${downstream.url}/detail/${id}`);
          await detail.arrayBuffer();
          return { id };
        },
      },
    ],
    serviceTracing,
  );
});
afterAll(async () => {
  for (const gateway of gateways) await gateway.stop();
  await service?.stop();
  await serviceTracing?.shutdown();
  await downstream?.close();
  await plain?.close();
});
beforeEach(() => {
  gatewaySpans.reset();
  serviceSpans.reset();
  downstream.seen.length = 0;
  plain.seen.length = 0;
});

async function startGateway(tracing: Record<string, unknown> | false): Promise<TestGateway> {
  const config: PorticoConfigInput = {
    upstreams: {
      things: { url: service.url, health: false },
      plain: { url: plain.url, health: false },
    },
    plugins: [
      { name: 'retry', options: { backoff: { base: '1ms', max: '5ms' } } },
      ...(tracing ? [{ name: 'tracing', options: tracing }] : []),
    ],
    routes: [
      { name: 'things', path: '/things/{rest*}', upstream: 'things' },
      { name: 'plain', path: '/plain/{rest*}', upstream: 'plain' },
    ],
  };
  const gateway = await startTestGateway(config, {
    extraPlugins: [createTracingPlugin({ spanProcessors: [new SimpleSpanProcessor(gatewaySpans)] })],
  });
  gateways.push(gateway);
  return gateway;
}

const ofKind = (spans: ReadableSpan[], kind: SpanKind) => spans.filter((span) => span.kind === kind);
const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;
const traceparentOf = (headers: IncomingHttpHeaders) => TRACEPARENT.exec(String(headers.traceparent));

describe('one request, one trace', () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startGateway({});
  });

  it('spans the gateway and the service, with each retry attempt a span of its own', async () => {
    const response = await fetch(`${gateway.url}/things/a`);
    expect(response.status).toBe(200);
    await response.arrayBuffer();
    // Spans end when the answers are sent: wait for both sides' server spans and the service's call.
    await until('the spans of the request ended', async () => {
      const atGateway = gatewaySpans.getFinishedSpans();
      const gatewayDone =
        ofKind(atGateway, SpanKind.SERVER).length === 1 && ofKind(atGateway, SpanKind.CLIENT).length === 2;
      const finished = serviceSpans.getFinishedSpans();
      return (
        gatewayDone &&
        ofKind(finished, SpanKind.SERVER).length === 2 &&
        ofKind(finished, SpanKind.CLIENT).length === 1
      );
    });

    const atGateway = gatewaySpans.getFinishedSpans();
    const atService = serviceSpans.getFinishedSpans();
    const [edge] = ofKind(atGateway, SpanKind.SERVER);
    const attempts = ofKind(atGateway, SpanKind.CLIENT).sort(
      (a, b) => Number(a.attributes['portico.attempt']) - Number(b.attributes['portico.attempt']),
    );

    // One trace across both processes.
    const traceId = edge!.spanContext().traceId;
    for (const span of [...atGateway, ...atService]) expect(span.spanContext().traceId).toBe(traceId);

    // The edge's span: the request, by its route.
    expect(edge!.name).toBe('GET /things/{rest*}');
    expect(edge!.attributes).toMatchObject({
      'http.request.method': 'GET',
      'http.route': '/things/{rest*}',
      'http.response.status_code': 200,
      'portico.route_id': 'things',
      'portico.upstream': 'things',
    });
    expect(edge!.parentSpanContext).toBeUndefined();

    // Two attempts, separate spans, children of the edge's span: the 503, then the retry's 200.
    expect(attempts).toHaveLength(2);
    expect(new Set(attempts.map((span) => span.spanContext().spanId)).size).toBe(2);
    for (const attempt of attempts) {
      expect(attempt.name).toBe('GET things');
      expect(parentOf(attempt)).toBe(edge!.spanContext().spanId);
    }
    expect(attempts.map((span) => span.attributes['http.response.status_code'])).toEqual([503, 200]);
    expect(attempts[0]!.status.code).toBe(2); // ERROR: a client span's 5xx
    expect(attempts[1]!.attributes['http.request.resend_count']).toBe(1);
    expect(attempts[0]!.attributes['http.request.resend_count']).toBeUndefined();

    // The service continued each attempt it received: its server spans are the attempts' children.
    const served = ofKind(atService, SpanKind.SERVER).sort(
      (a, b) =>
        Number(a.attributes['http.response.status_code']) - Number(b.attributes['http.response.status_code']),
    );
    expect(served.map((span) => span.name)).toEqual(['GET /things/{id}', 'GET /things/{id}']);
    expect(served.map((span) => span.attributes['http.response.status_code'])).toEqual([200, 503]);
    expect(parentOf(served[1]!)).toBe(attempts[0]!.spanContext().spanId);
    expect(parentOf(served[0]!)).toBe(attempts[1]!.spanContext().spanId);
    expect(served[1]!.status.code).toBe(2);

    // And passed the trace on to the service behind it, from a client span of its own.
    const [call] = ofKind(atService, SpanKind.CLIENT);
    expect(parentOf(call!)).toBe(served[0]!.spanContext().spanId);
    const sent = traceparentOf(downstream.seen[0]!.headers);
    expect(sent?.[1]).toBe(traceId);
    expect(sent?.[2]).toBe(call!.spanContext().spanId);
  });

  it('sends the upstream the traceparent of the attempt, and the request id beside it', async () => {
    const response = await fetch(`${gateway.url}/plain/x`, { headers: { 'x-request-id': 'req-trace-1' } });
    await response.arrayBuffer();
    await until(
      'the attempt span ended',
      async () => ofKind(gatewaySpans.getFinishedSpans(), SpanKind.CLIENT).length === 1,
    );
    const [attempt] = ofKind(gatewaySpans.getFinishedSpans(), SpanKind.CLIENT);
    const seen = plain.seen[0]!.headers;
    const sent = traceparentOf(seen);
    expect(sent?.[1]).toBe(attempt!.spanContext().traceId);
    expect(sent?.[2]).toBe(attempt!.spanContext().spanId);
    expect(seen['x-request-id']).toBe('req-trace-1');
    expect(attempt!.attributes['url.full']).toBe(`${plain.url}/plain/x`);
  });

  it("does not continue a client's trace by default: a new trace, linked to the client's", async () => {
    const client = `00-${'1'.repeat(32)}-${'2'.repeat(16)}-01`;
    const response = await fetch(`${gateway.url}/plain/y`, {
      headers: { traceparent: client, tracestate: 'vendor=client' },
    });
    await response.arrayBuffer();
    await until(
      'the request span ended',
      async () => ofKind(gatewaySpans.getFinishedSpans(), SpanKind.SERVER).length === 1,
    );
    const [edge] = ofKind(gatewaySpans.getFinishedSpans(), SpanKind.SERVER);
    expect(edge!.spanContext().traceId).not.toBe('1'.repeat(32));
    expect(edge!.parentSpanContext).toBeUndefined();
    expect(edge!.links.map((link) => link.context.spanId)).toEqual(['2'.repeat(16)]);
    const seen = plain.seen[0]!.headers;
    expect(traceparentOf(seen)?.[1]).toBe(edge!.spanContext().traceId);
    expect(seen.tracestate).toBeUndefined();
  });
});

describe('trustIncoming: true', () => {
  it("continues the client's trace and passes its tracestate on", async () => {
    const gateway = await startGateway({ trustIncoming: true });
    const client = `00-${'3'.repeat(32)}-${'4'.repeat(16)}-01`;
    const response = await fetch(`${gateway.url}/plain/z`, {
      headers: { traceparent: client, tracestate: 'vendor=client' },
    });
    await response.arrayBuffer();
    await until(
      'the request span ended',
      async () => ofKind(gatewaySpans.getFinishedSpans(), SpanKind.SERVER).length === 1,
    );
    const [edge] = ofKind(gatewaySpans.getFinishedSpans(), SpanKind.SERVER);
    expect(edge!.spanContext().traceId).toBe('3'.repeat(32));
    expect(parentOf(edge!)).toBe('4'.repeat(16));
    const seen = plain.seen[0]!.headers;
    const sent = traceparentOf(seen);
    expect(sent?.[1]).toBe('3'.repeat(32));
    expect(sent?.[2]).not.toBe('4'.repeat(16));
    expect(seen.tracestate).toBe('vendor=client');
  });

  it('keeps an unsampled parent unsampled: no spans recorded, the flag passed on', async () => {
    const gateway = await startGateway({ trustIncoming: true });
    const response = await fetch(`${gateway.url}/plain/u`, {
      headers: { traceparent: `00-${'5'.repeat(32)}-${'6'.repeat(16)}-00` },
    });
    await response.arrayBuffer();
    await until('the upstream was reached', async () => plain.seen.length === 1);
    const sent = String(plain.seen[0]!.headers.traceparent);
    expect(sent).toMatch(new RegExp(`^00-${'5'.repeat(32)}-[0-9a-f]{16}-00$`));
    // The attempt's own span id (not recorded, still propagated), not the client's.
    expect(sent).not.toContain('6'.repeat(16));
    expect(gatewaySpans.getFinishedSpans()).toEqual([]);
  });
});

describe('without the tracing plugin', () => {
  it('sends no traceparent and records nothing', async () => {
    const gateway = await startGateway(false);
    const response = await fetch(`${gateway.url}/plain/none`);
    await response.arrayBuffer();
    expect(plain.seen).toHaveLength(1);
    expect(plain.seen[0]!.headers.traceparent).toBeUndefined();
    expect(plain.seen[0]!.headers.tracestate).toBeUndefined();
    expect(gatewaySpans.getFinishedSpans()).toEqual([]);
  });
});
