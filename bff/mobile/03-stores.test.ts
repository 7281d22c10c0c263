// The Redis store against a real redis-server (skipped, loudly, when the binary is missing).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { redisSkipReason, startRedisServer, type RedisServer } from '../../testing/index.ts';
import { redisStore } from './stores/redis.ts';

const skip = redisSkipReason();
// eslint-disable-next-line no-console -- a skip must be loud
if (skip) console.warn(`mobile-bff redis store tests skipped: ${skip}`);

describe.skipIf(skip !== undefined)('the redis store', () => {
  let server: RedisServer;
  let client: Redis;
  beforeAll(async () => {
    server = await startRedisServer();
    client = new Redis(server.url);
  });
  afterAll(async () => {
    client?.disconnect();
    await server?.stop();
  });

  it('claims a key once, reads it back, forgets it, and shares it between instances', async () => {
    const one = redisStore(client, 'test:');
    const two = redisStore(client, 'test:');
    expect(await one.setIfAbsent('k', 'pending', 10_000)).toBe(true);
    expect(await two.setIfAbsent('k', 'pending', 10_000)).toBe(false);
    await one.set('k', 'done', 10_000);
    expect(await two.get('k')).toBe('done');
    await two.delete('k');
    expect(await one.get('k')).toBeUndefined();
    expect(await client.pttl('test:k')).toBe(-2);
  });
});
