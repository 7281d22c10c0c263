// Retries against real upstreams that count every attempt they receive.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  rawRequest,
  freePort,
  startTestGateway,
  startUpstream,
  type TestGateway,
  type TestUpstream,
} from '../../testing/index.ts';

/** Per path: how many attempts fail (503) before it answers 200; absent: always 503. */
const failFirst = new Map<string, number>();
const bodies: string[] = [];
let upstream: TestUpstream;
let budgeted: TestUpstream;
let guarded: TestUpstream;
let gateway: TestGateway;
let resetsLeft = 0;

beforeAll(async () => {
  upstream = await startUpstream((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      bodies.push(Buffer.concat(chunks).toString());
      if (req.url?.includes('reset') && resetsLeft > 0) {
        resetsLeft -= 1;
        req.socket.destroy(); // the connection dies before any answer: ECONNRESET at the gateway
        return;
      }
      const path = req.url ?? '';
      const attempts = upstream.seen.filter((seen) => seen.url === path).length;
      const failures = failFirst.get(path);
      const ok = failures !== undefined && attempts > failures;
      res.statusCode = ok ? (req.method === 'POST' ? 201 : 200) : 503;
      res.end(ok ? 'ok' : 'unavailable');
    });
  });
  budgeted = await startUpstream((_req, res) => {
    res.statusCode = 503;
    res.end();
  });
  guarded = await startUpstream((_req, res) => {
    res.statusCode = 503;
    res.end();
  });
  const closedPort = await freePort();
  gateway = await startTestGateway({
    upstreams: {
      svc: { url: upstream.url, health: false },
      budgeted: { url: budgeted.url, health: false },
      guarded: { url: guarded.url, health: false },
      down: { url: `http://127.0.0.1:${closedPort}`, health: false },
    },
    routes: [
      { path: '/svc/{rest*}', upstream: 'svc' },
      { path: '/once/{rest*}', upstream: 'svc', plugins: { retry: false } },
      { path: '/twice/{rest*}', upstream: 'svc', plugins: { retry: { maxAttempts: 2 } } },
      { path: '/budgeted/{rest*}', upstream: 'budgeted' },
      { path: '/guarded/{rest*}', upstream: 'guarded' },
      { path: '/down/{rest*}', upstream: 'down' },
    ],
    plugins: [
      {
        name: 'retry',
        options: {
          backoff: { base: '1ms', max: '4ms' },
          maxBodySize: '1kb',
          upstreams: { budgeted: { budget: { ratio: 0.2, minRetries: 0, window: '1h' } } },
        },
      },
      {
        name: 'circuit-breaker',
        // The budget test needs an upstream that keeps failing without its circuit opening.
        options: { upstreams: { guarded: { volumeThreshold: 3, resetTimeout: '1h' }, budgeted: false } },
      },
      { name: 'dedup' },
    ],
  });
});

afterAll(async () => {
  await gateway.stop();
  await Promise.all([upstream.close(), budgeted.close(), guarded.close()]);
});

beforeEach(() => {
  upstream.seen.length = 0;
  bodies.length = 0;
});

const attemptsAt = (path: string) => upstream.seen.filter((seen) => seen.url === path).length;

describe('retry', () => {
  it('retries a GET on 503 until it succeeds', async () => {
    failFirst.set('/svc/a', 2);
    const response = await rawRequest(gateway.url, '/svc/a');
    expect(response.status).toBe(200);
    expect(attemptsAt('/svc/a')).toBe(3);
  });

  it('stops at maxAttempts and passes the last answer on', async () => {
    const response = await rawRequest(gateway.url, '/svc/never');
    expect(response.status).toBe(503);
    expect(response.body).toBe('unavailable');
    expect(attemptsAt('/svc/never')).toBe(3);
  });

  it('a route may lower the attempts, or turn retries off', async () => {
    await rawRequest(gateway.url, '/twice/x');
    await rawRequest(gateway.url, '/once/x');
    expect(attemptsAt('/twice/x')).toBe(2);
    expect(attemptsAt('/once/x')).toBe(1);
  });

  it('never retries a POST without an Idempotency-Key', async () => {
    failFirst.set('/svc/post', 1);
    const response = await rawRequest(gateway.url, '/svc/post', { method: 'POST', body: '{"a":1}' });
    expect(response.status).toBe(503);
    expect(attemptsAt('/svc/post')).toBe(1);
  });

  it('retries a PUT and replays its body on every attempt', async () => {
    failFirst.set('/svc/put', 2);
    const response = await rawRequest(gateway.url, '/svc/put', { method: 'PUT', body: '{"name":"ada"}' });
    expect(response.status).toBe(200);
    expect(bodies).toEqual(['{"name":"ada"}', '{"name":"ada"}', '{"name":"ada"}']);
  });

  it('sends a body over maxBodySize once, and does not retry it', async () => {
    const body = 'x'.repeat(2048);
    await rawRequest(gateway.url, '/svc/big', { method: 'PUT', body });
    expect(attemptsAt('/svc/big')).toBe(1);
    expect(bodies).toEqual([body]);
  });

  it('retries a connection reset before any answer', async () => {
    failFirst.set('/svc/reset', 0);
    resetsLeft = 1;
    const response = await rawRequest(gateway.url, '/svc/reset');
    expect(response.status).toBe(200);
    expect(attemptsAt('/svc/reset')).toBe(2);
  });

  it('retries a refused connection, then answers 502', async () => {
    expect((await rawRequest(gateway.url, '/down/x')).status).toBe(502);
    const metrics = await (await fetch(`${gateway.adminUrl}/metrics`)).text();
    expect(metrics).toContain('portico_retry_retries_total{upstream="down",reason="ECONNREFUSED"} 2');
  });

  it('retries never exceed the budget: at most 20% extra attempts at a failing upstream', async () => {
    const requests = 50;
    for (let i = 0; i < requests; i++)
      expect((await rawRequest(gateway.url, `/budgeted/${i}`)).status).toBe(503);
    const concurrent = await Promise.all(
      Array.from({ length: 50 }, (_, i) => rawRequest(gateway.url, `/budgeted/c${i}`)),
    );
    expect(concurrent.every((response) => response.status === 503)).toBe(true);
    const total = requests + concurrent.length;
    expect(budgeted.seen.length).toBeGreaterThan(total);
    expect(budgeted.seen.length - total).toBeLessThanOrEqual(0.2 * total);
    const metrics = await (await fetch(`${gateway.adminUrl}/metrics`)).text();
    expect(metrics).toMatch(/portico_retry_skipped_total\{upstream="budgeted",reason="budget"\} [1-9]/);
  });

  it('each attempt counts at the breaker, and the open circuit’s 503 is not retried', async () => {
    // One request, three attempts: three failures open the circuit (volumeThreshold 3).
    expect((await rawRequest(gateway.url, '/guarded/x')).status).toBe(503);
    expect(guarded.seen).toHaveLength(3);
    const rejected = await rawRequest(gateway.url, '/guarded/x');
    expect(rejected.status).toBe(503);
    expect(rejected.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(guarded.seen).toHaveLength(3);
  });

  it('an Idempotency-Key POST buffered by dedup is retried with its body, then replayed without a call', async () => {
    failFirst.set('/svc/orders', 1);
    const send = () =>
      rawRequest(gateway.url, '/svc/orders', {
        method: 'POST',
        headers: { 'idempotency-key': 'r-1' },
        body: '{"item":"pen"}',
      });
    const first = await send();
    expect(first.status).toBe(201);
    expect(bodies).toEqual(['{"item":"pen"}', '{"item":"pen"}']);
    const replay = await send();
    expect(replay.status).toBe(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(attemptsAt('/svc/orders')).toBe(2);
  });
});
