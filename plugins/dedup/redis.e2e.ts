// Idempotency across gateway instances: two gateways share one real redis-server; a duplicate at
// the other instance waits on the in-flight mark in Redis and gets the first answer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGate, waitUntil, type Gate } from './testSupport.ts';
import {
  rawRequest,
  redisSkipReason,
  startRedisServer,
  startTestGateway,
  startUpstream,
  type RawResponse,
  type RedisServer,
  type TestGateway,
  type TestUpstream,
} from '../../testing/index.ts';

const skip = redisSkipReason();
// eslint-disable-next-line no-console -- a skip must be loud
if (skip) console.warn(`plugins/dedup/redis.e2e.ts: ${skip}`);

describe.skipIf(skip)('dedup with Redis', () => {
  let redis: RedisServer;
  let upstream: TestUpstream;
  let gate: Gate;
  let a: TestGateway;
  let b: TestGateway;
  let passThrough: TestGateway;
  let arrived = 0;

  beforeAll(async () => {
    redis = await startRedisServer();
    gate = createGate();
    gate.open();
    upstream = await startUpstream((req, res) => {
      req.resume();
      req.on('end', () =>
        gate.hold(res, () => {
          res.statusCode = 201;
          res.setHeader('content-type', 'application/json');
          res.end(JSON.stringify({ effect: upstream.seen.length }));
        }),
      );
    });
    const config = (onStoreFailure: 'reject' | 'pass-through') => ({
      redis: { url: redis.url },
      upstreams: { svc: { url: upstream.url, health: false as const } },
      routes: [{ name: 'orders', path: '/orders/{rest*}', upstream: 'svc' }],
      plugins: [{ name: 'dedup', options: { onStoreFailure, idempotency: { pollInterval: '10ms' } } }],
    });
    a = await startTestGateway(config('reject'));
    b = await startTestGateway(config('reject'));
    passThrough = await startTestGateway(config('pass-through'));
    // Until its client has connected, a gateway treats Redis as failed (onStoreFailure).
    for (const instance of [a, b, passThrough]) {
      await waitUntil(
        () => instance.gateway.server.portico.redis?.status === 'ready',
        'the gateway connected to Redis',
      );
    }
    for (const instance of [a, b]) {
      instance.gateway.server.ext('onPreHandler', (_request, h) => {
        arrived += 1;
        return h.continue;
      });
    }
  });

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop(), passThrough?.stop()]);
    await upstream?.close();
    await redis?.stop();
  });

  const post = (instance: TestGateway, key: string, body = '{"item":"book"}'): Promise<RawResponse> =>
    rawRequest(instance.url, '/orders', { method: 'POST', headers: { 'idempotency-key': key }, body });

  it('50 concurrent replays split over two instances reach the upstream once, all with one answer', async () => {
    gate = createGate();
    upstream.seen.length = 0;
    arrived = 0;
    const pending = Array.from({ length: 50 }, (_, i) => post(i % 2 === 0 ? a : b, 'shared-50'));
    await waitUntil(() => arrived >= 50, 'all 50 reached a gateway');
    await waitUntil(() => gate.held() === 1, 'the first reached the upstream');
    gate.open();
    const responses = await Promise.all(pending);
    expect(upstream.seen).toHaveLength(1);
    expect(new Set(responses.map((response) => `${response.status} ${response.body}`))).toEqual(
      new Set(['201 {"effect":1}']),
    );
    expect(responses.filter((response) => response.headers['idempotent-replayed'] === 'true')).toHaveLength(
      49,
    );
  });

  it('a record written by one instance is replayed by another; another body there gets 422', async () => {
    upstream.seen.length = 0;
    const first = await post(a, 'cross-1');
    const replay = await post(b, 'cross-1');
    expect(replay.body).toBe(first.body);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect((await post(b, 'cross-1', '{"item":"pen"}')).status).toBe(422);
    expect(upstream.seen).toHaveLength(1);
  });

  it('when Redis is down: 503 with Retry-After by default (no upstream call); pass-through forwards', async () => {
    upstream.seen.length = 0;
    await redis.kill();
    try {
      const rejected = await post(a, 'down-1');
      expect(rejected.status).toBe(503);
      expect(rejected.headers['retry-after']).toBe('1');
      expect(upstream.seen).toHaveLength(0);

      const forwarded = await post(passThrough, 'down-2');
      expect(forwarded.status).toBe(201);
      expect(upstream.seen).toHaveLength(1);
      const metrics = await (await fetch(`${a.adminUrl}/metrics`)).text();
      expect(metrics).toMatch(/portico_dedup_store_errors_total\{store="redis"\} [1-9]/);
    } finally {
      await redis.restart();
    }
    // Back to shared records once Redis answers again (ioredis reconnects on its own).
    for (const instance of [a, b]) {
      await waitUntil(
        () => instance.gateway.server.portico.redis?.status === 'ready',
        'the gateway reconnected to Redis',
      );
    }
    upstream.seen.length = 0;
    const first = await post(a, 'after-restart');
    const replay = await post(b, 'after-restart');
    expect(first.status).toBe(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(upstream.seen).toHaveLength(1);
  });
});
