import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createLogger,
  startTestGateway,
  startUpstream,
  type TestGateway,
  type TestUpstream,
} from '../../testing/index.ts';

const lines: Array<Record<string, unknown>> = [];
const sink = new Writable({
  write(chunk: Buffer, _encoding, callback) {
    for (const line of chunk.toString().split('\n').filter(Boolean))
      lines.push(JSON.parse(line) as Record<string, unknown>);
    callback();
  },
});
let upstream: TestUpstream;
let gateway: TestGateway;
beforeAll(async () => {
  upstream = await startUpstream();
  gateway = await startTestGateway(
    {
      upstreams: { u: { url: upstream.url, health: false } },
      plugins: [{ name: 'access-log', options: { skipPaths: ['/ping'] } }],
      routes: [
        { name: 'things', path: '/things/{p*}', upstream: 'u' },
        { path: '/ping', upstream: 'u' },
        { path: '/quiet/{p*}', upstream: 'u', plugins: { 'access-log': false } },
      ],
    },
    { logger: createLogger({ destination: sink }) },
  );
});
afterAll(async () => {
  await gateway?.stop();
  await upstream?.close();
});

const accessLines = () => lines.filter((line) => line.event === 'access');

describe('04 access', () => {
  it('logs one line per request with id, route, upstream, status and no query by default', async () => {
    lines.length = 0;
    await fetch(`${gateway.url}/things/1?email=student@campus.edu`, {
      headers: { 'x-request-id': 'req-abc' },
    });
    expect(accessLines()).toEqual([
      expect.objectContaining({
        requestId: 'req-abc',
        method: 'GET',
        path: '/things/1',
        route: 'things',
        upstream: 'u',
        status: 200,
      }),
    ]);
    expect(JSON.stringify(lines)).not.toContain('student@campus.edu');
    // No tracing plugin: no trace fields.
    expect(accessLines()[0]).not.toHaveProperty('traceId');
  });

  it('skips configured paths and routes that turn it off', async () => {
    lines.length = 0;
    await fetch(`${gateway.url}/ping`);
    await fetch(`${gateway.url}/quiet/x`);
    await fetch(`${gateway.url}/things/2`);
    expect(accessLines().map((line) => line.path)).toEqual(['/things/2']);
  });
});

describe('04 access, with the tracing plugin', () => {
  it("carries the request's trace and span ids: the trace the upstream was sent", async () => {
    const traced = await startTestGateway(
      {
        upstreams: { u: { url: upstream.url, health: false } },
        plugins: [{ name: 'access-log' }, { name: 'tracing' }],
        routes: [{ name: 'things', path: '/things/{p*}', upstream: 'u' }],
      },
      { logger: createLogger({ destination: sink }) },
    );
    try {
      lines.length = 0;
      upstream.seen.length = 0;
      await (await fetch(`${traced.url}/things/3`)).arrayBuffer();
      const [line] = accessLines();
      expect(line).toMatchObject({
        traceId: expect.stringMatching(/^[0-9a-f]{32}$/),
        spanId: expect.stringMatching(/^[0-9a-f]{16}$/),
      });
      // The upstream's traceparent: the same trace, from an attempt span under the request's.
      const traceparent = String(upstream.seen[0]!.headers.traceparent);
      expect(traceparent.split('-')[1]).toBe(line!.traceId);
      expect(traceparent.split('-')[2]).not.toBe(line!.spanId);
    } finally {
      await traced.stop();
    }
  });
});
