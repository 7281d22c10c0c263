// Two gateway instances sharing a real Redis: a key issued on one works on the other, a revocation
// on one holds on the other at once; a Redis outage follows onStoreError.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiKeyAdminClient } from './adminClient.ts';
import {
  redisSkipReason,
  startRedisServer,
  startTestGateway,
  startUpstream,
  type RedisServer,
  type TestGateway,
  type TestUpstream,
} from '../../testing/index.ts';

const skip = redisSkipReason();
// eslint-disable-next-line no-console -- a skipped Redis suite must be loud
if (skip) console.warn(`plugins/api-key: ${skip}`);

describe.skipIf(skip)('api-key with Redis', () => {
  let redis: RedisServer;
  let upstream: TestUpstream;
  const gateways: TestGateway[] = [];

  const start = (onStoreError: 'unavailable' | 'unauthenticated' = 'unavailable') =>
    startTestGateway({
      redis: { url: redis.url },
      upstreams: { api: { url: upstream.url, health: false } },
      plugins: [{ name: 'api-key', options: { onStoreError } }],
      routes: [{ path: '/partner/{rest*}', upstream: 'api', auth: 'required', plugins: { 'api-key': {} } }],
    }).then((gateway) => (gateways.push(gateway), gateway));

  beforeAll(async () => {
    [redis, upstream] = await Promise.all([startRedisServer(), startUpstream()]);
  });
  afterAll(async () => {
    for (const gateway of gateways) await gateway.stop();
    await Promise.all([upstream?.close(), redis?.stop()]);
  });

  const status = async (gateway: TestGateway, key: string) =>
    (await fetch(`${gateway.url}/partner/x`, { headers: { 'x-api-key': key } })).status;

  it('a key issued on instance A works on B; revoked on A, it stops on B with the next request', async () => {
    const [a, b] = [await start(), await start()];
    const { key, id } = await apiKeyAdminClient(a.adminUrl, a.adminHeaders).create({ name: 'p', owner: 'o' });
    expect(await status(b, key)).toBe(200);
    await apiKeyAdminClient(a.adminUrl, a.adminHeaders).revoke(id);
    expect(await status(b, key)).toBe(401);
    expect(await status(a, key)).toBe(401);
    expect((await apiKeyAdminClient(b.adminUrl, b.adminHeaders).get(id)).revokedAt).toBeDefined();
  });

  it('Redis down: 503 with Retry-After by default, 401 with onStoreError: unauthenticated; never acceptance', async () => {
    const [strict, lenient] = [await start('unavailable'), await start('unauthenticated')];
    const { key } = await apiKeyAdminClient(strict.adminUrl, strict.adminHeaders).create({
      name: 'p',
      owner: 'o',
    });
    expect(await status(strict, key)).toBe(200);
    const before = upstream.seen.length;
    await redis.kill();
    try {
      const response = await fetch(`${strict.url}/partner/x`, { headers: { 'x-api-key': key } });
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('5');
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(await status(lenient, key)).toBe(401);
      expect(upstream.seen.length).toBe(before);
    } finally {
      await redis.restart();
    }
  });
});
