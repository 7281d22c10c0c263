// Keys in Redis, so every gateway instance sees a new key or a revocation at once. Two hashes under
// one hash tag (one cluster slot): hash → record, id → hash. Nothing is cached locally: a revoked
// key stops working on the next request everywhere.
import type { RedisClient } from '../../../contracts/plugin.ts';
import { revoked } from './memory.ts';
import type { ApiKeyStore, StoredApiKey } from './types.ts';

export function createRedisStore(redis: RedisClient, prefix: string): ApiKeyStore {
  const byHash = `{${prefix}}:by-hash`;
  const byId = `{${prefix}}:by-id`;
  const parse = (json: string | null | undefined): StoredApiKey | undefined =>
    json ? (JSON.parse(json) as StoredApiKey) : undefined;

  // The gateway's client has no offline queue, so a command sent before the first connection is
  // up fails at once. Until then (only then: a later outage must fail fast), wait for it, briefly.
  let connected = redis.status === 'ready';
  const firstConnection = connected
    ? Promise.resolve()
    : new Promise<void>((resolve) => {
        const done = () => {
          connected = true;
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(done, 2000);
        timer.unref();
        redis.once('ready', done);
      });
  const ready = () => (connected ? undefined : firstConnection);

  const get = async (id: string) => {
    await ready();
    const hash = await redis.hget(byId, id);
    return hash ? parse(await redis.hget(byHash, hash)) : undefined;
  };

  return {
    kind: 'redis',
    async add(key) {
      await ready();
      await redis.multi().hset(byHash, key.hash, JSON.stringify(key)).hset(byId, key.id, key.hash).exec();
    },
    findByHash: async (hash) => {
      await ready();
      return parse(await redis.hget(byHash, hash));
    },
    get,
    list: async () => {
      await ready();
      return Object.values(await redis.hgetall(byHash)).map((json) => JSON.parse(json) as StoredApiKey);
    },
    async revoke(id, at) {
      const key = await get(id);
      if (!key) return undefined;
      const next = revoked(key, at);
      await redis.hset(byHash, key.hash, JSON.stringify(next));
      return next;
    },
    // The gateway owns the Redis client and closes it.
    close: async () => {},
  };
}
