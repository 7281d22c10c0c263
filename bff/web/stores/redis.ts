// Sessions in the gateway's shared Redis: one key per record with its own expiry (PX), so the
// store never needs a sweep and any instance reads what another wrote. Single-key commands only,
// so it runs on a Cluster too.
import type { RedisClient } from '../../../contracts/plugin.ts';
import type { SessionStore } from './types.ts';

const TAKE = `local value = redis.call('GET', KEYS[1])
if value then redis.call('DEL', KEYS[1]) end
return value`;

export function redisStore(redis: RedisClient, prefix: string): SessionStore {
  return {
    kind: 'redis',
    async get(key) {
      return (await redis.get(prefix + key)) ?? undefined;
    },
    async set(key, value, ttlMs) {
      await redis.set(prefix + key, value, 'PX', Math.max(1, Math.ceil(ttlMs)));
    },
    async touch(key, ttlMs) {
      await redis.pexpire(prefix + key, Math.max(1, Math.ceil(ttlMs)));
    },
    async take(key) {
      const value = (await redis.eval(TAKE, 1, prefix + key)) as string | null;
      return value ?? undefined;
    },
    async delete(key) {
      await redis.del(prefix + key);
    },
    async claim(key, ttlMs) {
      return (await redis.set(prefix + key, '1', 'PX', Math.max(1, Math.ceil(ttlMs)), 'NX')) === 'OK';
    },
    // The connection is the gateway's; it closes it.
    async close() {},
  };
}
