// Answers in Redis, shared by every gateway instance: what one instance stored, another serves.
// A path's entries, its index and its purge time sit under one hash tag (one cluster slot); a
// sorted set of the paths with entries (scored by when their last entry expires) serves the
// admin's prefix purge, and drops paths whose entries all expired, so it stays as small as the cache.
import { createHash } from 'node:crypto';
import type { RedisClient } from '../../../contracts/plugin.ts';
import type { CachedAnswer, CacheStore } from './types.ts';

interface StoredAnswer extends Omit<CachedAnswer, 'body'> {
  body: string;
}

export function redisStore(
  client: RedisClient,
  options: { keyPrefix: string; maxTtlMs: number },
): CacheStore {
  const prefix = options.keyPrefix;
  const slot = (path: string) =>
    `${prefix}:{${createHash('sha256').update(path).digest('base64url').slice(0, 16)}}`;
  const pathsKey = `${prefix}:paths`;

  const purge = async (path: string, at: number): Promise<number> => {
    const base = slot(path);
    const members = await client.smembers(`${base}:i`);
    const transaction = client.multi();
    if (members.length > 0) transaction.del(...members);
    transaction.del(`${base}:i`).set(`${base}:purged`, String(at), 'PX', options.maxTtlMs);
    await transaction.exec();
    await client.zrem(pathsKey, path);
    return members.filter((key) => key.startsWith(`${base}:e:`)).length;
  };

  return {
    kind: 'redis',
    async variesOn(path, baseKey) {
      const json = await client.get(`${slot(path)}:v:${baseKey}`);
      return json ? (JSON.parse(json) as string[]) : undefined;
    },
    async read(path, entryKey) {
      const json = await client.get(`${slot(path)}:e:${entryKey}`);
      if (!json) return undefined;
      const stored = JSON.parse(json) as StoredAnswer;
      return { ...stored, body: Buffer.from(stored.body, 'base64') };
    },
    async write(path, baseKey, vary, entryKey, answer, ttlMs) {
      const base = slot(path);
      const stored: StoredAnswer = { ...answer, body: answer.body.toString('base64') };
      const entry = `${base}:e:${entryKey}`;
      const varies = `${base}:v:${baseKey}`;
      await client
        .multi()
        .set(varies, JSON.stringify(vary), 'PX', ttlMs)
        .set(entry, JSON.stringify(stored), 'PX', ttlMs)
        .sadd(`${base}:i`, varies, entry)
        .pexpire(`${base}:i`, options.maxTtlMs)
        .exec();
      // GT: a shorter-lived entry never hides a longer-lived one of the same path from a prefix purge.
      await client.zadd(pathsKey, 'GT', answer.expiresAt, path);
      await client.zremrangebyscore(pathsKey, '-inf', Date.now());
    },
    async purgePaths(paths, at) {
      let count = 0;
      for (const path of paths) count += await purge(path, at);
      return count;
    },
    async purgePrefix(pathPrefix, at) {
      const live = await client.zrangebyscore(pathsKey, Date.now(), '+inf');
      const paths = live.filter((path) => path.startsWith(pathPrefix));
      let count = 0;
      for (const path of paths) count += await purge(path, at);
      return count;
    },
    async purgedSince(paths, since) {
      const times = await Promise.all(paths.map((path) => client.get(`${slot(path)}:purged`)));
      return times.some((time) => time !== null && Number(time) >= since);
    },
    size: () => undefined,
  };
}
