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
let upstream: TestUpstream;
let gateway: TestGateway;
beforeAll(async () => {
  upstream = await startUpstream();
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString().split('\n').filter(Boolean))
        lines.push(JSON.parse(line) as Record<string, unknown>);
      callback();
    },
  });
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
  });

  it('skips configured paths and routes that turn it off', async () => {
    lines.length = 0;
    await fetch(`${gateway.url}/ping`);
    await fetch(`${gateway.url}/quiet/x`);
    await fetch(`${gateway.url}/things/2`);
    expect(accessLines().map((line) => line.path)).toEqual(['/things/2']);
  });
});
