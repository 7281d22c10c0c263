// OTLP/HTTP export as the config sets it up, to a real HTTP receiver standing in for a collector;
// and an unreachable collector is one warning in the gateway's log, not one per batch.
import { Writable } from 'node:stream';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  createLogger,
  freePort,
  startTestGateway,
  startUpstream,
  until,
  type TestGateway,
  type TestUpstream,
} from '../../testing/index.ts';

interface OtlpExport {
  resourceSpans: Array<{
    resource: { attributes: Array<{ key: string; value: { stringValue?: string } }> };
    scopeSpans: Array<{ spans: Array<{ name: string; traceId: string; kind: number }> }>;
  }>;
}

let upstream: TestUpstream;
let collector: TestUpstream;
const exports: Array<{ headers: Record<string, unknown>; body: OtlpExport }> = [];
const gateways: TestGateway[] = [];

beforeAll(async () => {
  upstream = await startUpstream();
  collector = await startUpstream((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (req.method === 'POST' && req.url === '/v1/traces')
        exports.push({
          headers: req.headers,
          body: JSON.parse(Buffer.concat(chunks).toString()) as OtlpExport,
        });
      res.setHeader('content-type', 'application/json');
      res.end('{}');
    });
  });
});
afterAll(async () => {
  for (const gateway of gateways) await gateway.stop();
  await upstream?.close();
  await collector?.close();
});

async function start(exporter: Record<string, unknown>, logger?: ReturnType<typeof createLogger>) {
  const gateway = await startTestGateway(
    {
      upstreams: { u: { url: upstream.url, health: false } },
      plugins: [
        {
          name: 'tracing',
          options: {
            serviceName: 'edge-test',
            resourceAttributes: { 'deployment.environment.name': 'test' },
            exporter: { batch: { scheduledDelay: '20ms' }, ...exporter },
          },
        },
      ],
      routes: [{ name: 'things', path: '/things/{p*}', upstream: 'u' }],
    },
    logger ? { logger } : {},
  );
  gateways.push(gateway);
  return gateway;
}

it('exports the spans over OTLP/HTTP with the configured resource and headers', async () => {
  const gateway = await start({
    url: `${collector.url}/v1/traces`,
    headers: { 'x-collector-tenant': 'campus' },
  });
  await (await fetch(`${gateway.url}/things/1`)).arrayBuffer();
  const spanNames = () =>
    exports.flatMap(({ body }) =>
      body.resourceSpans.flatMap((resource) =>
        resource.scopeSpans.flatMap((scope) => scope.spans.map((span) => span.name)),
      ),
    );
  await until('the request span reached the collector', async () => spanNames().includes('GET /things/{p*}'));
  expect(spanNames()).toContain('GET u');

  const sent = exports.find(({ body }) => JSON.stringify(body).includes('GET /things/{p*}'))!;
  expect(sent.headers['x-collector-tenant']).toBe('campus');
  const attributes = Object.fromEntries(
    sent.body.resourceSpans[0]!.resource.attributes.map(({ key, value }) => [key, value.stringValue]),
  );
  expect(attributes).toMatchObject({ 'service.name': 'edge-test', 'deployment.environment.name': 'test' });
});

it('an unreachable collector: one warning while exports fail, requests unaffected', async () => {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString().split('\n').filter(Boolean))
        lines.push(JSON.parse(line) as Record<string, unknown>);
      callback();
    },
  });
  const nowhere = `http://127.0.0.1:${await freePort()}/v1/traces`;
  const gateway = await start(
    { url: nowhere, timeout: '1s' },
    createLogger({ destination: sink, level: 'debug' }),
  );
  const failures = () => lines.filter((line) => line.event === 'trace_export_failed');

  expect((await fetch(`${gateway.url}/things/2`)).status).toBe(200);
  await until('a failed export was logged', async () => failures().length >= 1);
  // A request's spans may go in one batch or two: whatever the count, only the first is a warning.
  expect((await fetch(`${gateway.url}/things/3`)).status).toBe(200);
  await until('later failed exports were logged', async () => failures().length >= 2);
  const [first, ...later] = failures().map((line) => line.level);
  expect(first).toBe('warn');
  expect(later.every((level) => level === 'debug')).toBe(true);
  expect(failures()[0]).toMatchObject({ plugin: 'tracing', url: nowhere });
});
