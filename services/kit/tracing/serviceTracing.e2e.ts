// The kit's side of a trace: a service continues the traceparent it is sent, its log lines carry
// the trace id, its outgoing calls pass the trace on (with tracing off too), and the OTEL_*
// variables turn export on.
import { Writable } from 'node:stream';
import Hapi, { type Server } from '@hapi/hapi';
import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startUpstream, until, type TestUpstream } from '../../../testing/index.ts';
import { log, registerRequestLogging } from '../http/requestLogging.ts';
import { registerServiceTracing } from './registerServiceTracing.ts';
import { createServiceTracing, serviceTracingFromEnv, type ServiceTracing } from './serviceTracing.ts';
import { tracedFetch } from './tracedFetch.ts';

const GATEWAY_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const GATEWAY_SPAN = '00f067aa0ba902b7';
const TRACEPARENT = `00-${GATEWAY_TRACE}-${GATEWAY_SPAN}-01`;

let downstream: TestUpstream;
let server: Server | undefined;
beforeAll(async () => {
  downstream = await startUpstream();
});
afterAll(() => downstream?.close());
afterEach(async () => {
  await server?.stop();
  server = undefined;
  downstream.seen.length = 0;
});

/** A hapi server with the kit's request logging (and tracing, when given) and one route that calls downstream. */
async function startService(tracing: ServiceTracing | undefined, lines: Array<Record<string, unknown>> = []) {
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString().split('\n').filter(Boolean))
        lines.push(JSON.parse(line) as Record<string, unknown>);
      callback();
    },
  });
  server = Hapi.server({ host: '127.0.0.1', port: 0 });
  registerRequestLogging(server, pino(sink));
  if (tracing) registerServiceTracing(server, tracing);
  server.route({
    method: 'GET',
    path: '/items/{id}',
    async handler(request) {
      log(request).info({ event: 'calling' }, 'asking downstream');
      const reply = await tracedFetch(request, `${downstream.url}/detail`);
      await reply.arrayBuffer();
      return { id: request.params.id };
    },
  });
  await server.start();
  return `http://127.0.0.1:${server.info.port}`;
}

describe('a service with tracing', () => {
  it("continues the gateway's trace, logs its ids, and passes it on from a client span", async () => {
    const spans = new InMemorySpanExporter();
    const tracing = createServiceTracing({
      serviceName: 'items',
      spanProcessors: [new SimpleSpanProcessor(spans)],
    });
    const lines: Array<Record<string, unknown>> = [];
    const url = await startService(tracing, lines);
    const response = await fetch(`${url}/items/7`, {
      headers: { traceparent: TRACEPARENT, 'x-request-id': 'r-7' },
    });
    expect(response.status).toBe(200);
    await until('the server span ended', async () =>
      spans.getFinishedSpans().some((span) => span.kind === SpanKind.SERVER),
    );

    const served = spans.getFinishedSpans().find((span) => span.kind === SpanKind.SERVER)!;
    const call = spans.getFinishedSpans().find((span) => span.kind === SpanKind.CLIENT)!;
    expect(served.spanContext().traceId).toBe(GATEWAY_TRACE);
    expect(served.parentSpanContext?.spanId).toBe(GATEWAY_SPAN);
    expect(served.name).toBe('GET /items/{id}');
    expect(served.attributes).toMatchObject({
      'http.response.status_code': 200,
      'portico.request_id': 'r-7',
    });
    expect(served.resource.attributes['service.name']).toBe('items');
    expect(call.parentSpanContext?.spanId).toBe(served.spanContext().spanId);
    expect(downstream.seen[0]!.headers.traceparent).toBe(
      `00-${GATEWAY_TRACE}-${call.spanContext().spanId}-01`,
    );

    // Every line of the request, its request line included, names the trace.
    const requestLines = lines.filter((line) => line.requestId === 'r-7');
    expect(requestLines.map((line) => line.msg)).toEqual(['asking downstream', 'request']);
    for (const line of requestLines) {
      expect(line.traceId).toBe(GATEWAY_TRACE);
      expect(line.spanId).toBe(served.spanContext().spanId);
    }
    await tracing.shutdown();
  });
});

describe('a service without tracing', () => {
  it('passes the traceparent it was sent on unchanged, and sends none when it got none', async () => {
    const url = await startService(undefined);
    await (
      await fetch(`${url}/items/1`, { headers: { traceparent: TRACEPARENT, tracestate: 'gw=1' } })
    ).arrayBuffer();
    await (await fetch(`${url}/items/2`)).arrayBuffer();
    expect(downstream.seen.map((seen) => [seen.headers.traceparent, seen.headers.tracestate])).toEqual([
      [TRACEPARENT, 'gw=1'],
      [undefined, undefined],
    ]);
  });
});

describe('serviceTracingFromEnv', () => {
  it('is off unless an OTLP endpoint is set, and off whatever is set with OTEL_SDK_DISABLED', () => {
    expect(serviceTracingFromEnv({}, 'items')).toBeUndefined();
    expect(serviceTracingFromEnv({ OTEL_TRACES_SAMPLER_ARG: '0.5' }, 'items')).toBeUndefined();
    expect(
      serviceTracingFromEnv(
        { OTEL_SDK_DISABLED: 'true', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' },
        'items',
      ),
    ).toBeUndefined();
  });

  it('names the variable of a bad ratio', () => {
    expect(() =>
      serviceTracingFromEnv(
        { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_TRACES_SAMPLER_ARG: '2' },
        'items',
      ),
    ).toThrow(/OTEL_TRACES_SAMPLER_ARG/);
  });

  it('exports to OTEL_EXPORTER_OTLP_ENDPOINT + /v1/traces', async () => {
    const received: string[] = [];
    const collector = await startUpstream((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        if (req.url === '/v1/traces') received.push(Buffer.concat(chunks).toString());
        res.end('{}');
      });
    });
    try {
      const tracing = serviceTracingFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: `${collector.url}/` }, 'items')!;
      const url = await startService(tracing);
      await (await fetch(`${url}/items/3`)).arrayBuffer();
      await server!.stop(); // flushes what the batch still holds
      await until('the spans reached the collector', async () =>
        received.some((body) => body.includes('GET /items/{id}')),
      );
      expect(received.join('')).toContain('"items"');
      await tracing.shutdown();
    } finally {
      await collector.close();
    }
  });
});
