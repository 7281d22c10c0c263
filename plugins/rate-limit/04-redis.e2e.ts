// Three gateways sharing one real redis-server: one budget, counted at the upstream; Redis killed
// (each instance falls back to its own insurance limiter) and restarted (the shared budget is back).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RedisClient } from '../../contracts/plugin.ts';
import {
  redisSkipReason,
  startRedisServer,
  startTestGateway,
  startUpstream,
  type PorticoConfigInput,
  type RedisServer,
  type TestGateway,
  type TestUpstream,
} from '../../testing/index.ts';

const skip = redisSkipReason();
// eslint-disable-next-line no-console
if (skip) console.warn(`plugins/rate-limit/04-redis.e2e.ts: ${skip}`);

const BUDGET = 10;
const INSTANCES = 3;

function redisOf(gateway: TestGateway): RedisClient {
  return gateway.gateway.server.portico.redis!;
}

/** Polls until `condition` holds; the ioredis reconnect needs real time, but the test asserts states, not durations. */
async function until(
  condition: () => boolean | Promise<boolean>,
  what: string,
  deadlineMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function degradedGauge(gateway: TestGateway): Promise<number> {
  const text = await (await fetch(`${gateway.adminUrl}/metrics`)).text();
  return Number(/^portico_rate_limit_store_degraded (\d+)$/m.exec(text)?.[1]);
}

describe.skipIf(skip)('rate-limit on Redis across gateway instances', () => {
  let redis: RedisServer;
  let upstream: TestUpstream;
  let gateways: TestGateway[] = [];

  beforeAll(async () => {
    redis = await startRedisServer();
    upstream = await startUpstream();
    const config: PorticoConfigInput = {
      redis: { url: redis.url },
      upstreams: { app: { url: upstream.url, health: false } },
      routes: [{ path: '/api/{rest*}', upstream: 'app' }],
      plugins: [
        {
          name: 'rate-limit',
          options: {
            // Keyed by a header so each phase of the test can use a fresh counter.
            policies: [{ name: 'budget', by: 'header', header: 'x-budget', points: BUDGET, per: '1m' }],
            insuranceDivisor: INSTANCES,
          },
        },
      ],
    };
    for (let i = 0; i < INSTANCES; i++) gateways.push(await startTestGateway(config));
    await until(
      () => gateways.every((gateway) => redisOf(gateway).status === 'ready'),
      'every instance is connected to Redis',
    );
  });

  afterAll(async () => {
    await Promise.all(gateways.map((gateway) => gateway.stop()));
    gateways = [];
    await upstream?.close();
    await redis?.stop();
  });

  /** `count` concurrent requests spread round-robin over the instances; returns the statuses per instance. */
  async function spread(count: number, budgetKey: string): Promise<number[][]> {
    const perInstance: number[][] = gateways.map(() => []);
    await Promise.all(
      Array.from({ length: count }, async (_, i) => {
        const target = i % gateways.length;
        const response = await fetch(`${gateways[target]!.url}/api/item`, {
          headers: { 'x-budget': budgetKey },
        });
        await response.arrayBuffer();
        perInstance[target]!.push(response.status);
      }),
    );
    return perInstance;
  }

  const admitted = (statuses: number[][]) => statuses.flat().filter((status) => status === 200).length;

  it('admits exactly the budget in total across three instances (counted at the upstream)', async () => {
    const statuses = await spread(BUDGET * 4, 'shared-1');
    expect(admitted(statuses)).toBe(BUDGET);
    expect(statuses.flat().filter((status) => status === 429)).toHaveLength(BUDGET * 3);
    expect(upstream.seen).toHaveLength(BUDGET);
  });

  it('keeps every instance serving with its own insurance limit while Redis is down', async () => {
    upstream.seen.length = 0;
    await redis.kill();
    await until(
      () => gateways.every((gateway) => redisOf(gateway).status !== 'ready'),
      'every instance saw Redis go away',
    );

    const insurancePoints = Math.floor(BUDGET / INSTANCES);
    for (const gateway of gateways) {
      const statuses: number[] = [];
      for (let i = 0; i < insurancePoints + 2; i++) {
        const response = await fetch(`${gateway.url}/api/item`, { headers: { 'x-budget': 'outage' } });
        await response.arrayBuffer();
        statuses.push(response.status);
      }
      expect(statuses).toEqual([...Array(insurancePoints).fill(200), 429, 429]);
      expect(await degradedGauge(gateway)).toBe(1);
    }
    expect(upstream.seen).toHaveLength(insurancePoints * INSTANCES);
  });

  it('uses the shared budget again once Redis is back', async () => {
    upstream.seen.length = 0;
    await redis.restart();
    await until(
      () => gateways.every((gateway) => redisOf(gateway).status === 'ready'),
      'every instance reconnected to Redis',
    );

    const statuses = await spread(BUDGET * 4, 'shared-2');
    expect(admitted(statuses)).toBe(BUDGET);
    expect(upstream.seen).toHaveLength(BUDGET);
    for (const gateway of gateways) expect(await degradedGauge(gateway)).toBe(0);
  });
});

describe.skipIf(skip)('rate-limit onStoreFailure when Redis is unreachable', () => {
  let deadRedisUrl: string;
  let upstream: TestUpstream;

  beforeAll(async () => {
    // A real redis-server that is then killed: its port refuses connections.
    const redis = await startRedisServer();
    deadRedisUrl = redis.url;
    await redis.stop();
    upstream = await startUpstream();
  });
  afterAll(() => upstream?.close());

  async function withPolicy(
    onStoreFailure: string,
    run: (gateway: TestGateway) => Promise<void>,
  ): Promise<void> {
    const gateway = await startTestGateway({
      redis: { url: deadRedisUrl },
      upstreams: { app: { url: upstream.url, health: false } },
      routes: [{ path: '/api/{rest*}', upstream: 'app' }],
      plugins: [
        { name: 'rate-limit', options: { policies: [{ by: 'ip', points: 2, per: '1m' }], onStoreFailure } },
      ],
    });
    try {
      await run(gateway);
    } finally {
      await gateway.stop();
    }
  }

  async function statusesOf(gateway: TestGateway, count: number): Promise<Response[]> {
    const responses: Response[] = [];
    for (let i = 0; i < count; i++) {
      const response = await fetch(`${gateway.url}/api/x`);
      await response.clone().arrayBuffer();
      responses.push(response);
    }
    return responses;
  }

  it('deny: answers 503 problem+json with Retry-After and never calls the upstream', async () => {
    upstream.seen.length = 0;
    await withPolicy('deny', async (gateway) => {
      const [response] = await statusesOf(gateway, 1);
      expect(response!.status).toBe(503);
      expect(response!.headers.get('retry-after')).toBe('1');
      expect(response!.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(await degradedGauge(gateway)).toBe(1);
    });
    expect(upstream.seen).toHaveLength(0);
  });

  it('allow: admits every request (no limit) while the store is down', async () => {
    upstream.seen.length = 0;
    await withPolicy('allow', async (gateway) => {
      const responses = await statusesOf(gateway, 4);
      expect(responses.map((response) => response.status)).toEqual([200, 200, 200, 200]);
    });
    expect(upstream.seen).toHaveLength(4);
  });

  it('insurance: limits in memory, per instance', async () => {
    await withPolicy('insurance', async (gateway) => {
      const responses = await statusesOf(gateway, 4);
      expect(responses.map((response) => response.status)).toEqual([200, 200, 429, 429]);
      expect(responses[3]!.headers.get('retry-after')).toMatch(/^\d+$/);
    });
  });
});
