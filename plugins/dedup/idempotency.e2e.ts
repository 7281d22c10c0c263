// Idempotency-Key handling against a real upstream that counts the effects it receives.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createGate, waitUntil, type Gate } from './testSupport.ts';
import {
  rawRequest,
  startTestGateway,
  startUpstream,
  type RawResponse,
  type TestGateway,
  type TestUpstream,
} from '../../testing/index.ts';

let gate: Gate;
let upstream: TestUpstream;
let gateway: TestGateway;
let arrived = 0;
const bodies: string[] = [];

beforeAll(async () => {
  gate = createGate();
  gate.open();
  upstream = await startUpstream((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      bodies.push(body);
      const effect = bodies.length;
      gate.hold(res, () => {
        if (req.url?.includes('unavailable')) res.statusCode = 503;
        else res.statusCode = 201;
        res.setHeader('content-type', 'application/json');
        res.setHeader('set-cookie', 'session=first');
        res.setHeader('location', `/orders/${effect}`);
        res.end(JSON.stringify({ effect, received: body }));
      });
    });
  });
  gateway = await startTestGateway({
    upstreams: { svc: { url: upstream.url, health: false } },
    routes: [
      { name: 'orders', path: '/orders/{rest*}', upstream: 'svc' },
      {
        name: 'strict',
        path: '/strict/{rest*}',
        upstream: 'svc',
        plugins: { dedup: { idempotency: { onInFlight: 'reject', required: true } } },
      },
      { name: 'plain', path: '/plain/{rest*}', upstream: 'svc', plugins: { dedup: false } },
    ],
    plugins: [{ name: 'dedup', options: { idempotency: { maxBodySize: '1kb' } } }],
  });
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
  bodies.length = 0;
  arrived = 0;
});

const post = (path: string, key: string | undefined, body: string): Promise<RawResponse> =>
  rawRequest(gateway.url, path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key === undefined ? {} : { 'idempotency-key': key }) },
    body,
  });

describe('Idempotency-Key', () => {
  it('50 concurrent replays of one key reach the upstream once and get 50 identical answers', async () => {
    gate = createGate();
    const pending = Array.from({ length: 50 }, () => post('/orders', '"order-50"', '{"item":"book"}'));
    await waitUntil(() => arrived >= 50, 'all 50 reached the gateway');
    await waitUntil(() => gate.held() === 1, 'the first reached the upstream');
    gate.open();
    const responses = await Promise.all(pending);

    expect(upstream.seen).toHaveLength(1);
    expect(bodies).toEqual(['{"item":"book"}']);
    expect(new Set(responses.map((response) => response.status))).toEqual(new Set([201]));
    expect(new Set(responses.map((response) => response.body))).toEqual(
      new Set(['{"effect":1,"received":"{\\"item\\":\\"book\\"}"}']),
    );
    expect(new Set(responses.map((response) => response.headers.location))).toEqual(new Set(['/orders/1']));
    expect(responses.filter((response) => response.headers['idempotent-replayed'] === 'true')).toHaveLength(
      49,
    );
  });

  it('replays the stored answer to a later retry without calling the upstream, without its Set-Cookie', async () => {
    const first = await post('/orders', 'later-1', '{"n":1}');
    const again = await post('/orders', 'later-1', '{"n":1}');
    expect(upstream.seen).toHaveLength(1);
    expect(first.headers['set-cookie']).toEqual(['session=first']);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    expect(again.status).toBe(first.status);
    expect(again.body).toBe(first.body);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.headers['set-cookie']).toBeUndefined();
  });

  it('answers 422 problem+json to the same key with another body, and never calls the upstream for it', async () => {
    await post('/orders', 'key-422', '{"amount":10}');
    const other = await post('/orders', 'key-422', '{"amount":99}');
    expect(other.status).toBe(422);
    expect(other.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(upstream.seen).toHaveLength(1);
  });

  it('answers 422 to another body while the first is still in flight', async () => {
    gate = createGate();
    const first = post('/orders', 'key-422-inflight', '{"a":1}');
    await waitUntil(() => gate.held() === 1, 'the first reached the upstream');
    const other = await post('/orders', 'key-422-inflight', '{"a":2}');
    gate.open();
    expect(other.status).toBe(422);
    expect((await first).status).toBe(201);
    expect(upstream.seen).toHaveLength(1);
  });

  it('scopes keys per caller: the same key from two users is two requests', async () => {
    // Without auth the scope is the client address; a different path is a different route target,
    // so the same key on two routes never collides either.
    await post('/orders/a', 'shared-key', '{}');
    const otherRoute = await post('/strict/a', 'shared-key', '{}');
    expect(otherRoute.status).toBe(201);
    expect(upstream.seen).toHaveLength(2);
  });

  it('with onInFlight: reject, a duplicate in flight gets 409 and no upstream call', async () => {
    gate = createGate();
    const first = post('/strict/x', 'key-409', '{}');
    await waitUntil(() => gate.held() === 1, 'the first reached the upstream');
    const duplicate = await post('/strict/x', 'key-409', '{}');
    gate.open();
    expect(duplicate.status).toBe(409);
    expect((await first).status).toBe(201);
    expect(upstream.seen).toHaveLength(1);
  });

  it('answers 400 to a missing key where the route requires one, and to a malformed key', async () => {
    expect((await post('/strict/y', undefined, '{}')).status).toBe(400);
    expect((await post('/orders', 'bad key with spaces', '{}')).status).toBe(400);
    expect(upstream.seen).toHaveLength(0);
  });

  it('answers 413 to a body over maxBodySize, declared or streamed', async () => {
    expect((await post('/orders', 'big', 'x'.repeat(2048))).status).toBe(413);
    const chunked = await rawRequest(gateway.url, '/orders', {
      method: 'POST',
      headers: { 'idempotency-key': 'big-chunked', 'transfer-encoding': 'chunked' },
      body: 'x'.repeat(2048),
    });
    expect(chunked.status).toBe(413);
    expect(upstream.seen).toHaveLength(0);
  });

  it('passes requests without a key, and routes with dedup off, straight through', async () => {
    await post('/orders', undefined, '{}');
    await post('/orders', undefined, '{}');
    await post('/plain/z', 'k', '{}');
    await post('/plain/z', 'k', '{}');
    expect(upstream.seen).toHaveLength(4);
  });

  it('does not keep a "try again" answer (503): a retry with the same key reaches the upstream', async () => {
    expect((await post('/orders/unavailable', 'key-503', '{}')).status).toBe(503);
    expect((await post('/orders/unavailable', 'key-503', '{}')).status).toBe(503);
    expect(upstream.seen).toHaveLength(2);
  });

  it('hands the buffered body to the upstream intact', async () => {
    const body = JSON.stringify({ text: 'ünïcödé', n: [1, 2, 3] });
    const response = await post('/orders', 'body-intact', body);
    expect(bodies).toEqual([body]);
    expect((JSON.parse(response.body) as { received: string }).received).toBe(body);
  });
});
