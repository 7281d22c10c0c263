// Shared by every gateway instance; Redis expiry bounds it.
import type { RedisClient } from '../../../contracts/plugin.ts';
import type { KeyValueStore } from './types.ts';

export function redisStore(redis: RedisClient, prefix: string): KeyValueStore {
  return {
    kind: 'redis',
    async get(key) {
      return (await redis.get(prefix + key)) ?? undefined;
    },
    async set(key, value, ttlMs) {
      await redis.set(prefix + key, value, 'PX', Math.max(1, Math.round(ttlMs)));
    },
    async setIfAbsent(key, value, ttlMs) {
      return (await redis.set(prefix + key, value, 'PX', Math.max(1, Math.round(ttlMs)), 'NX')) === 'OK';
    },
    async delete(key) {
      await redis.del(prefix + key);
    },
  };
}
