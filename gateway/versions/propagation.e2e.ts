// Three gateway instances sharing one real redis-server: a version accepted by one is published,
// applied and acknowledged by all three; a version an instance cannot build is its NACK with the
// reason (it keeps serving what it ran); a missed publish is caught by the poll; an instance that
// was down while versions were pushed applies the latest before it takes its first request.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisSkipReason, startRedisServer, type RedisServer } from '../../testing/startRedisServer.ts';
import { startTestGateway, type TestGateway } from '../../testing/startTestGateway.ts';
import { startUpstream, type TestUpstream } from '../../testing/startUpstream.ts';
import { until } from '../../testing/until.ts';
import type { PorticoConfigInput } from '../config/schema.ts';
import { configHash } from './canonicalJson.ts';
import { sharedDocument } from './instanceLocal.ts';
import { redisVersionStore } from './redisVersionStore.ts';
import { markersOf, versionedConfig } from './testing/versionedConfig.ts';
import type { InstanceAck, InstanceState } from './versionRecord.ts';

const skip = redisSkipReason();
// eslint-disable-next-line no-console
if (skip) console.warn(`gateway/versions/propagation.e2e.ts: ${skip}`);

let redis: RedisServer;
let upstream: TestUpstream;
let secretsDir: string;
const instances = new Map<string, TestGateway>();

const configFor = (id: string, n: number): PorticoConfigInput => ({
  ...versionedConfig(upstream.url, n),
  redis: { url: redis.url },
  versions: { store: 'redis', poll: '300ms', instanceId: id },
});

async function start(id: string, n = 1): Promise<TestGateway> {
  // Only instance a has the secret file a ${file:...} reference in a later version points at.
  const gateway = await startTestGateway(configFor(id, n), {
    ...(id === 'a' ? { baseDir: secretsDir } : {}),
  });
  instances.set(id, gateway);
  return gateway;
}

const json = async <T>(gateway: TestGateway, path: string, init: RequestInit = {}): Promise<T> => {
  const response = await fetch(`${gateway.adminUrl}${path}`, {
    ...init,
    headers: { 'content-type': 'application/json', ...gateway.adminHeaders },
  });
  return (await response.json()) as T;
};
const push = (gateway: TestGateway, config: unknown, message: string) =>
  fetch(`${gateway.adminUrl}/config/versions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...gateway.adminHeaders },
    body: JSON.stringify({ config, message }),
  });

async function markers(gateway: TestGateway): Promise<string[]> {
  const response = await fetch(`${gateway.url}/main/x`);
  return markersOf(response, (await response.json()) as { url: string });
}

const acksOf = async (number: number) =>
  (await json<{ acks: InstanceAck[] }>(instances.get('b')!, `/config/versions/${number}`)).acks;

describe.skipIf(skip)('three instances, one shared history in Redis', () => {
  beforeAll(async () => {
    redis = await startRedisServer();
    upstream = await startUpstream();
    secretsDir = mkdtempSync(join(tmpdir(), 'portico-secrets-'));
    writeFileSync(join(secretsDir, 'marker.txt'), 'from-a-file\n');
    // a seeds the empty history with its config; b and c find it there.
    await start('a');
    await Promise.all([start('b'), start('c')]);
  });

  afterAll(async () => {
    for (const gateway of instances.values()) await gateway.stop();
    await upstream?.close();
    await redis?.stop();
    rmSync(secretsDir, { recursive: true, force: true });
  });

  it('all three start on version 1, seeded once', async () => {
    const history = await json<{ versions: Array<{ number: number; source: string; instance: string }> }>(
      instances.get('c')!,
      '/config/versions',
    );
    expect(history.versions).toEqual([
      expect.objectContaining({ number: 1, source: 'start', instance: 'a' }),
    ]);
    await until('three acks of version 1', async () => (await acksOf(1)).length === 3);
  });

  it('a version pushed to one is applied and acknowledged by all three', async () => {
    const response = await push(instances.get('a')!, versionedConfig(upstream.url, 2), 'version two');
    expect(response.status).toBe(201);
    await until('three acks of version 2', async () => (await acksOf(2)).length === 3);
    const acks = await acksOf(2);
    const hash = configHash(sharedDocument(versionedConfig(upstream.url, 2)).shared);
    expect(acks.map(({ instance, status, hash: acked }) => [instance, status, acked]).sort()).toEqual([
      ['a', 'applied', hash],
      ['b', 'applied', hash],
      ['c', 'applied', hash],
    ]);
    for (const gateway of instances.values())
      expect(await markers(gateway)).toEqual(['v2', 'v2', 'v2', 'v2']);

    const view = await json<{ latest: number; instances: Array<InstanceState & { current: boolean }> }>(
      instances.get('c')!,
      '/config/instances',
    );
    expect(view.latest).toBe(2);
    expect(view.instances.map(({ instance, version, current }) => [instance, version, current])).toEqual([
      ['a', 2, true],
      ['b', 2, true],
      ['c', 2, true],
    ]);
  });

  it('a version an instance cannot build is its NACK, with the reason; it keeps serving its version', async () => {
    const withFile = versionedConfig(upstream.url, 3) as { routes: Array<{ plugins?: unknown }> };
    withFile.routes[0]!.plugins = {
      transform: {
        response: { headers: { add: { 'x-marker': 'v3', 'x-from-file': '${file:marker.txt}' } } },
      },
    };
    expect((await push(instances.get('a')!, withFile, 'a file reference only a has')).status).toBe(201);
    await until('three answers to version 3', async () => (await acksOf(3)).length === 3);
    const acks = Object.fromEntries((await acksOf(3)).map((ack) => [ack.instance, ack]));
    expect(acks.a).toMatchObject({ status: 'applied' });
    for (const id of ['b', 'c'])
      expect(acks[id]).toMatchObject({
        status: 'refused',
        reason: expect.stringMatching(
          /^routes\[0\]\.plugins\.transform\.response\.headers\.add\.x-from-file: \$\{file:marker\.txt\}: cannot read /,
        ),
      });
    expect((await fetch(`${instances.get('a')!.url}/main/x`)).headers.get('x-from-file')).toBe('from-a-file');
    expect(await markers(instances.get('b')!)).toEqual(['v2', 'v2', 'v2', 'v2']);
    const view = await json<{ instances: InstanceState[] }>(instances.get('a')!, '/config/instances');
    expect(view.instances.find(({ instance }) => instance === 'c')).toMatchObject({
      version: 2,
      refused: { version: 3, reason: expect.stringContaining('cannot read') },
    });

    // b runs version 2's content already, but the history's latest is 3: pushing it there is a
    // change for the others (a), not "unchanged".
    const again = await push(
      instances.get('b')!,
      versionedConfig(upstream.url, 2),
      'back to what b and c run',
    );
    expect(again.status).toBe(201);
    expect(((await again.json()) as { version: { number: number } }).version.number).toBe(4);
    await until('three acks of version 4', async () => (await acksOf(4)).length === 3);
    for (const gateway of instances.values())
      expect(await markers(gateway)).toEqual(['v2', 'v2', 'v2', 'v2']);
  });

  it('a version whose publish was missed is found by the poll', async () => {
    const client = new Redis(redis.url);
    try {
      const store = redisVersionStore(client, '{portico:config}');
      const { shared } = sharedDocument(versionedConfig(upstream.url, 5));
      const { version } = await store.append(
        {
          hash: configHash(shared),
          author: 'test',
          message: 'appended without a publish',
          createdAt: new Date().toISOString(),
          acceptedAtMs: Date.now(),
          source: 'push',
          instance: 'test',
          document: shared,
        },
        'change',
      );
      expect(version.number).toBe(5);
      await until(
        'three acks of version 5',
        async () => (await acksOf(5)).filter((ack) => ack.status === 'applied').length === 3,
      );
      for (const gateway of instances.values())
        expect(await markers(gateway)).toEqual(['v5', 'v5', 'v5', 'v5']);
    } finally {
      client.disconnect();
    }
  });

  it('an instance down while versions were pushed applies the latest before its first request', async () => {
    await instances.get('c')!.stop();
    instances.delete('c');
    for (const n of [6, 7])
      expect((await push(instances.get('a')!, versionedConfig(upstream.url, n), `v${n}`)).status).toBe(201);
    await until('a and b acknowledge version 7', async () => (await acksOf(7)).length === 2);

    // c starts again from its own file (version 1's content): the shared history wins.
    const back = await start('c');
    expect(await markers(back)).toEqual(['v7', 'v7', 'v7', 'v7']);
    await until('c acknowledges version 7', async () =>
      (await acksOf(7)).some((ack) => ack.instance === 'c' && ack.status === 'applied'),
    );
    const history = await json<{ versions: Array<{ number: number }> }>(back, '/config/versions');
    // Its return appended nothing: 7 versions, the last pushed one on top.
    expect(history.versions.map(({ number }) => number)).toEqual([7, 6, 5, 4, 3, 2, 1]);
  });

  it('rollback on one instance to an earlier hash reaches all three with that exact hash', async () => {
    const second = await json<{ version: { hash: string } }>(instances.get('b')!, '/config/versions/2');
    const response = await fetch(`${instances.get('b')!.adminUrl}/config/rollback`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...instances.get('b')!.adminHeaders },
      body: JSON.stringify({ to: second.version.hash }),
    });
    expect(response.status).toBe(201);
    await until('three acks of version 8', async () => (await acksOf(8)).length === 3);
    expect(new Set((await acksOf(8)).map((ack) => ack.hash))).toEqual(new Set([second.version.hash]));
    for (const gateway of instances.values())
      expect(await markers(gateway)).toEqual(['v2', 'v2', 'v2', 'v2']);
  });

  it('a flushed Redis: the next version is number 1 again and every instance follows it', async () => {
    const client = new Redis(redis.url);
    try {
      await client.flushall();
    } finally {
      client.disconnect();
    }
    expect(
      (await push(instances.get('c')!, versionedConfig(upstream.url, 9), 'after the flush')).status,
    ).toBe(201);
    await until('three acks of the new version 1', async () => (await acksOf(1)).length === 3);
    for (const gateway of instances.values())
      expect(await markers(gateway)).toEqual(['v9', 'v9', 'v9', 'v9']);
  });
});
