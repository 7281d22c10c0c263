// The APQ stores: memory (bounded, per instance) and Redis (shared by instances), on a real
// redis-server.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisSkipReason, startRedisServer, type RedisServer } from '../../testing/index.ts';
import { memoryApqStore } from './stores/memory.ts';
import { redisApqStore } from './stores/redis.ts';

describe('memory APQ store', () => {
  it('keeps at most maxEntries, dropping the least recent', async () => {
    const store = memoryApqStore({ maxEntries: 2, ttl: 60_000 });
    await store.set('a', '{ a }');
    await store.set('b', '{ b }');
    await store.get('a');
    await store.set('c', '{ c }');
    expect([await store.get('a'), await store.get('b'), await store.get('c')]).toEqual([
      '{ a }',
      undefined,
      '{ c }',
    ]);
  });
});

const skip = redisSkipReason();
// eslint-disable-next-line no-console -- a skip must be loud
if (skip) console.warn(`plugins/graphql/09-apq-stores.e2e.ts: ${skip}`);

describe.skipIf(skip)('Redis APQ store', () => {
  let redis: RedisServer;
  const clients: Redis[] = [];

  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    for (const client of clients) client.disconnect();
    await redis?.stop();
  });

  it('a query one instance registered is found by another, and expires after ttl', async () => {
    const [one, two] = [new Redis(redis.url), new Redis(redis.url)];
    clients.push(one, two);
    const options = { keyPrefix: 'portico:graphql:apq:', ttl: 60_000 };
    await redisApqStore(one, options).set('abc', '{ programs { nextCursor } }');
    expect(await redisApqStore(two, options).get('abc')).toBe('{ programs { nextCursor } }');
    expect(await redisApqStore(two, options).get('missing')).toBeUndefined();
    const ttl = await two.pttl('portico:graphql:apq:abc');
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });
});
