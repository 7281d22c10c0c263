// The APQ store shared by every instance: one Redis string per query, expiring after `ttl`.
import type { RedisClient } from '../../../contracts/plugin.ts';
import type { ApqStore } from './apqStore.ts';

export function redisApqStore(redis: RedisClient, options: { keyPrefix: string; ttl: number }): ApqStore {
  return {
    kind: 'redis',
    async get(hash) {
      return (await redis.get(options.keyPrefix + hash)) ?? undefined;
    },
    async set(hash, query) {
      await redis.set(options.keyPrefix + hash, query, 'PX', options.ttl);
    },
  };
}
