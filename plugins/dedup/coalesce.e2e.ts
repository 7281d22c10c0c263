// GET coalescing against a real upstream that counts what reaches it and holds its answers until
// every client request is in flight at the gateway.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createGate, waitUntil, type Gate } from './testSupport.ts';
import {
  rawRequest,
  startTestGateway,
  startUpstream,
  type TestGateway,
  type TestUpstream,
} from '../../testing/index.ts';

let gate: Gate;
let upstream: TestUpstream;
let gateway: TestGateway;
let arrived = 0;
let answerSize = 64;

beforeAll(async () => {
  upstream = await startUpstream((req, res) => {
    gate.hold(res, () => {
      res.setHeader('content-type', 'application/json');
      res.setHeader('x-upstream-seq', String(upstream.seen.length));
      if (req.url?.includes('cookie')) res.setHeader('set-cookie', 'session=abc; HttpOnly');
      if (req.url?.includes('fail')) res.statusCode = 503;
      res.end(JSON.stringify({ url: req.url, pad: 'x'.repeat(answerSize) }));
    });
  });
  gateway = await startTestGateway({
    upstreams: { svc: { url: upstream.url, health: false } },
    routes: [
      { name: 'items', path: '/items/{rest*}', upstream: 'svc' },
      {
        name: 'uncoalesced',
        path: '/solo/{rest*}',
        upstream: 'svc',
        plugins: { dedup: { coalesce: false } },
      },
    ],
    plugins: [{ name: 'dedup', options: { coalesce: { maxResponseSize: '16kb' } } }],
  });
  // Counts requests that reached the handler step, where the coalescer runs.
  gateway.gateway.server.ext('onPreHandler', (_request, h) => {
    arrived += 1;
    return h.continue;
  });
});

afterAll(async () => {
  await gateway.stop();
  await upstream.close();
});

afterEach(() => {
  gate.open();
  upstream.seen.length = 0;
  arrived = 0;
  answerSize = 64;
});

/** Sends `count` identical GETs at once; resolves when all are in flight at the gateway. */
async function inFlight(
  count: number,
  path: string,
  headers: (i: number) => Record<string, string> = () => ({}),
) {
  gate = createGate();
  const responses = Array.from({ length: count }, (_, i) =>
    rawRequest(gateway.url, path, { headers: headers(i) }),
  );
  await waitUntil(() => arrived >= count, `${count} requests reached the gateway handler`);
  // The handler runs on from onPreHandler within the same turn; one more turn lets every one join.
  await new Promise((resolve) => setImmediate(resolve));
  return responses;
}

const metric = async (name: string) => {
  const text = await (await fetch(`${gateway.adminUrl}/metrics`)).text();
  return text.split('\n').filter((line) => line.startsWith(name));
};

describe('GET coalescing', () => {
  it('500 concurrent identical GETs reach the upstream once and all get its answer', async () => {
    const pending = await inFlight(500, '/items/catalog?page=1');
    await waitUntil(() => gate.held() === 1, 'the leader reached the upstream');
    expect(upstream.seen).toHaveLength(1);
    gate.open();
    const responses = await Promise.all(pending);

    expect(upstream.seen).toHaveLength(1);
    expect(new Set(responses.map((response) => response.status))).toEqual(new Set([200]));
    expect(new Set(responses.map((response) => response.body)).size).toBe(1);
    expect(new Set(responses.map((response) => response.headers['x-upstream-seq']))).toEqual(new Set(['1']));
    const contentTypes = new Set(responses.map((response) => response.headers['content-type']));
    expect(contentTypes.size).toBe(1);
    expect([...contentTypes][0]).toMatch(/^application\/json/);
    // Each answer carries its own request id, not the leader's.
    expect(new Set(responses.map((response) => response.headers['x-request-id'])).size).toBe(500);
    expect(await metric('portico_dedup_coalesced_requests_total')).toContain(
      'portico_dedup_coalesced_requests_total{route="items",outcome="shared"} 499',
    );
  });

  it('does not merge requests that differ in query, Accept or Authorization', async () => {
    const pending = await inFlight(6, '/items/list', (i) => ({
      accept: i % 2 === 0 ? 'application/json' : 'text/html',
      authorization: i < 3 ? 'Bearer one' : 'Bearer two',
    }));
    await waitUntil(() => gate.held() === 4, 'four distinct requests reached the upstream');
    gate.open();
    await Promise.all(pending);
    expect(upstream.seen).toHaveLength(4);
  });

  it('does not coalesce on a route that turns it off', async () => {
    const pending = await inFlight(5, '/solo/x');
    await waitUntil(() => gate.held() === 5, 'all five reached the upstream');
    gate.open();
    await Promise.all(pending);
    expect(upstream.seen).toHaveLength(5);
  });

  it('followers of an answer over maxResponseSize fetch their own, and every client gets the whole body', async () => {
    answerSize = 64 * 1024;
    const pending = await inFlight(4, '/items/big');
    await waitUntil(() => gate.held() === 1, 'the leader reached the upstream');
    gate.open();
    const responses = await Promise.all(pending);
    expect(upstream.seen).toHaveLength(4);
    for (const response of responses) {
      expect(response.status).toBe(200);
      expect((JSON.parse(response.body) as { pad: string }).pad).toHaveLength(64 * 1024);
    }
  });

  it('never shares an answer that sets a cookie', async () => {
    const pending = await inFlight(3, '/items/cookie');
    await waitUntil(() => gate.held() === 1, 'the leader reached the upstream');
    gate.open();
    const responses = await Promise.all(pending);
    expect(upstream.seen).toHaveLength(3);
    expect(
      responses.every((response) => response.headers['set-cookie']?.[0]?.startsWith('session=abc')),
    ).toBe(true);
  });

  it('shares an upstream error status with every waiter', async () => {
    const pending = await inFlight(10, '/items/fail');
    await waitUntil(() => gate.held() === 1, 'the leader reached the upstream');
    gate.open();
    const responses = await Promise.all(pending);
    expect(upstream.seen).toHaveLength(1);
    expect(new Set(responses.map((response) => response.status))).toEqual(new Set([503]));
  });

  it('a lone GET streams through and later identical GETs start a new flight', async () => {
    gate = createGate();
    gate.open();
    const first = await rawRequest(gateway.url, '/items/one');
    const second = await rawRequest(gateway.url, '/items/one');
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(upstream.seen).toHaveLength(2);
  });
});
