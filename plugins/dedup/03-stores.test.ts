// Both stores against the same contract; the Redis one against a real redis-server.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryStore } from './stores/memory.ts';
import { redisStore } from './stores/redis.ts';
import type { IdempotencyRecord, IdempotencyStore } from './stores/types.ts';
import { redisSkipReason, startRedisServer, type RedisServer } from '../../testing/index.ts';

const skipRedis = redisSkipReason();
// eslint-disable-next-line no-console -- a skip must be loud
if (skipRedis) console.warn(`plugins/dedup/03-stores.test.ts: ${skipRedis}`);

const record: IdempotencyRecord = {
  fingerprint: 'fp',
  response: {
    status: 201,
    headers: { 'content-type': 'application/json', vary: ['a', 'b'] },
    body: Buffer.from([0, 1, 2, 255]),
  },
};

function storeContract(name: string, make: () => IdempotencyStore) {
  describe(`${name} store`, () => {
    it('claims a free key once; a second claim sees the mark', async () => {
      const store = make();
      expect(await store.claim('k1', { fingerprint: 'fp', token: 't1' }, 10_000)).toBeUndefined();
      expect(await store.claim('k1', { fingerprint: 'fp2', token: 't2' }, 10_000)).toEqual({
        state: 'pending',
        fingerprint: 'fp',
      });
    });

    it('completes with a record (binary body intact) that later claims get', async () => {
      const store = make();
      const mark = { fingerprint: 'fp', token: 't1' };
      await store.claim('k2', mark, 10_000);
      await store.complete('k2', mark, record, 10_000);
      expect(await store.claim('k2', { fingerprint: 'fp', token: 't3' }, 10_000)).toEqual({
        state: 'done',
        record,
      });
      expect(await store.get('k2')).toEqual({ state: 'done', record });
    });

    it('keeps a record with no response (too large to keep)', async () => {
      const store = make();
      const mark = { fingerprint: 'fp', token: 't1' };
      await store.claim('k3', mark, 10_000);
      await store.complete('k3', mark, { fingerprint: 'fp' }, 10_000);
      expect(await store.get('k3')).toEqual({ state: 'done', record: { fingerprint: 'fp' } });
    });

    it('only the holder of the mark may complete or release it', async () => {
      const store = make();
      await store.claim('k4', { fingerprint: 'fp', token: 'mine' }, 10_000);
      await store.complete('k4', { fingerprint: 'fp', token: 'other' }, record, 10_000);
      await store.release('k4', { fingerprint: 'fp', token: 'other' });
      expect(await store.get('k4')).toEqual({ state: 'pending', fingerprint: 'fp' });
      await store.release('k4', { fingerprint: 'fp', token: 'mine' });
      expect(await store.get('k4')).toBeUndefined();
    });
  });
}

storeContract('memory', () => memoryStore(1024 * 1024));

describe.skipIf(skipRedis)('redis', () => {
  let server: RedisServer;
  let client: Redis;
  beforeAll(async () => {
    server = await startRedisServer();
    client = new Redis(server.url);
  });
  afterAll(async () => {
    client.disconnect();
    await server.stop();
  });
  let prefix = 0;
  storeContract('redis', () => redisStore(client, `test:${++prefix}:`));

  it('an in-flight mark expires after lockTtl, so a crashed instance frees the key', async () => {
    const store = redisStore(client, 'expiry:');
    await store.claim('k', { fingerprint: 'fp', token: 't' }, 1);
    // Redis expires the key 1 ms later; poll until it has (bounded by the test timeout).
    while ((await store.get('k')) !== undefined) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(await store.claim('k', { fingerprint: 'fp', token: 't2' }, 10_000)).toBeUndefined();
  });
});
