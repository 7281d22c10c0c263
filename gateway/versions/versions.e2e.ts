// The config history of one instance (file store) through the admin API: push, refusal naming the
// bad key's path with the old config still serving, diff, rollback by hash restoring the same
// hash and behaviour, secrets kept as references, per-instance acknowledgements, the audit trail.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configIssuesOf } from '../../testing/configIssuesOf.ts';
import { freePort } from '../../testing/startRedisServer.ts';
import { startTestGateway, type TestGateway } from '../../testing/startTestGateway.ts';
import { startUpstream, type TestUpstream } from '../../testing/startUpstream.ts';
import { withLocalKeys } from './instanceLocal.ts';
import { markersOf, versionedConfig } from './testing/versionedConfig.ts';

let upstream: TestUpstream;
let gateway: TestGateway;
let historyDir: string;

beforeAll(async () => {
  historyDir = mkdtempSync(join(tmpdir(), 'portico-history-'));
  upstream = await startUpstream();
  gateway = await startTestGateway({
    ...versionedConfig(upstream.url, 1),
    versions: { store: 'file', dir: historyDir },
  });
});

afterAll(async () => {
  await gateway?.stop();
  await upstream?.close();
  rmSync(historyDir, { recursive: true, force: true });
});

const admin = (path: string, init: RequestInit = {}) =>
  fetch(`${gateway.adminUrl}${path}`, {
    ...init,
    headers: { 'content-type': 'application/json', ...gateway.adminHeaders, ...init.headers },
  });
const push = (config: unknown, message: string) =>
  admin('/config/versions', { method: 'POST', body: JSON.stringify({ config, message }) });

async function markers(path = '/main/x'): Promise<string[]> {
  const response = await fetch(`${gateway.url}${path}`);
  expect(response.status).toBe(200);
  return markersOf(response, (await response.json()) as { url: string });
}

interface Meta {
  number: number;
  hash: string;
  source: string;
  author: string;
  message: string;
  rollbackOf?: number;
}

describe('config versions (one instance, file history)', () => {
  it('the config the instance started with is version 1, acknowledged by it', async () => {
    const history = (await (await admin('/config/versions')).json()) as { versions: Meta[]; current: Meta };
    expect(history.versions.map(({ number, source }) => [number, source])).toEqual([[1, 'start']]);
    expect(history.current.number).toBe(1);
    const instances = (await (await admin('/config/instances')).json()) as {
      latest: number;
      instances: Array<{ version: number; hash: string; stale: boolean }>;
    };
    expect(instances.latest).toBe(1);
    expect(instances.instances).toEqual([
      expect.objectContaining({ version: 1, hash: history.current.hash, stale: false }),
    ]);
    expect(await markers()).toEqual(['v1', 'v1', 'v1', 'v1']);
  });

  it('a push is validated, appended and applied: 201, the next request runs it, the old route is gone', async () => {
    const response = await push(versionedConfig(upstream.url, 2), 'version two');
    expect(response.status).toBe(201);
    const body = (await response.json()) as { version: Meta; ack: { status: string; version: number } };
    expect(body.version).toMatchObject({ number: 2, source: 'push', message: 'version two' });
    expect(body.ack).toMatchObject({ status: 'applied', version: 2 });
    expect(await markers()).toEqual(['v2', 'v2', 'v2', 'v2']);
    expect(await markers('/added/v2')).toEqual(['v2', 'none', 'v2', 'v2']);
    expect((await fetch(`${gateway.url}/added/v1`)).status).toBe(404);
  });

  it('the same content again is no new version (200, unchanged)', async () => {
    const response = await push(versionedConfig(upstream.url, 2), 'again');
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ unchanged: true, version: { number: 2 } });
  });

  it('an invalid version is refused with the paths portico validate names; nothing is appended and v2 keeps serving', async () => {
    const bad = versionedConfig(upstream.url, 3) as {
      routes: Array<Record<string, unknown>>;
      plugins: Array<{ options?: Record<string, unknown> }>;
    };
    bad.routes[0]!.upstream = 'nowhere';
    bad.plugins[2]!.options = {
      policies: [{ by: 'ip', points: -1, per: '1m' }],
    };
    const response = await push(bad, 'broken');
    expect(response.status).toBe(422);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    const refusal = (await response.json()) as { issues: Array<{ path: string; message: string }> };
    const lines = refusal.issues.map(({ path, message }) => `${path}: ${message}`);
    expect(lines).toEqual(await configIssuesOf(withLocalKeys(bad, gateway.gateway.build.loaded.document)));
    expect(lines.join('\n')).toMatch(/plugins\[2\]\.options\.policies\[0\]\.points: /);
    const history = (await (await admin('/config/versions')).json()) as { versions: Meta[] };
    expect(history.versions.map(({ number }) => number)).toEqual([2, 1]);
    expect(await markers()).toEqual(['v2', 'v2', 'v2', 'v2']);
  });

  it('diff names what changed by key path', async () => {
    const diff = (await (await admin('/config/diff/1/2')).json()) as {
      changes: Array<{ path: string; change: string; from?: unknown; to?: unknown }>;
    };
    expect(diff.changes).toEqual(
      expect.arrayContaining([
        { path: 'plugins[0].options.referrerPolicy', change: 'changed', from: 'v1', to: 'v2' },
        { path: 'routes[1].path', change: 'changed', from: '/added/v1', to: '/added/v2' },
      ]),
    );
  });

  it('rollback to an earlier hash appends a version with exactly its document: same hash, same behaviour', async () => {
    const first = (await (await admin('/config/versions/1')).json()) as {
      version: Meta & { document: unknown };
    };
    const response = await admin('/config/rollback', {
      method: 'POST',
      body: JSON.stringify({ to: first.version.hash.slice(0, 12) }),
    });
    expect(response.status).toBe(201);
    const body = (await response.json()) as { version: Meta };
    expect(body.version).toMatchObject({
      number: 3,
      hash: first.version.hash,
      source: 'rollback',
      rollbackOf: 1,
      message: 'rollback to version 1',
    });
    const third = (await (await admin('/config/versions/3')).json()) as { version: { document: unknown } };
    expect(third.version.document).toEqual(first.version.document);
    expect(await markers()).toEqual(['v1', 'v1', 'v1', 'v1']);
    expect((await fetch(`${gateway.url}/added/v2`)).status).toBe(404);
  });

  it('instance-local keys of a pushed document are ignored (and said so); the version does not carry them', async () => {
    const response = await push(
      { ...versionedConfig(upstream.url, 4), server: { port: 1, admin: { port: 2 }, drain: { delay: 0 } } },
      'with local keys',
    );
    expect(response.status).toBe(201);
    const body = (await response.json()) as { ignored: string[]; version: Meta };
    expect(body.ignored).toEqual(['server.port', 'server.admin']);
    const stored = (await (await admin(`/config/versions/${body.version.number}`)).json()) as {
      version: { document: { server: Record<string, unknown> } };
    };
    expect(stored.version.document.server).toEqual({ drain: { delay: 0 } });
    expect(await markers()).toEqual(['v4', 'v4', 'v4', 'v4']);
  });

  it('secrets stay references in the history; the running config has their values; an unset one is refused by path', async () => {
    process.env.PORTICO_TEST_MARKER_SECRET = 'resolved-secret-value';
    const withSecret = versionedConfig(upstream.url, 5) as { routes: Array<{ plugins?: unknown }> };
    withSecret.routes[0]!.plugins = {
      transform: {
        response: { headers: { add: { 'x-marker': 'v5', 'x-secret': '${env:PORTICO_TEST_MARKER_SECRET}' } } },
      },
    };
    expect((await push(withSecret, 'with a secret reference')).status).toBe(201);
    expect((await fetch(`${gateway.url}/main/x`)).headers.get('x-secret')).toBe('resolved-secret-value');
    const history = readFileSync(join(historyDir, 'versions.jsonl'), 'utf8');
    expect(history).toContain('${env:PORTICO_TEST_MARKER_SECRET}');
    expect(history).not.toContain('resolved-secret-value');

    delete process.env.PORTICO_TEST_MARKER_SECRET;
    const unset = versionedConfig(upstream.url, 6) as { routes: Array<{ plugins?: unknown }> };
    unset.routes[0]!.plugins = {
      transform: { response: { headers: { add: { 'x-secret': '${env:PORTICO_TEST_MARKER_SECRET}' } } } },
    };
    const refused = await push(unset, 'secret unset');
    expect(refused.status).toBe(422);
    expect(((await refused.json()) as { issues: unknown[] }).issues).toEqual([
      {
        path: 'routes[0].plugins.transform.response.headers.add.x-secret',
        message:
          '${env:PORTICO_TEST_MARKER_SECRET}: the environment variable PORTICO_TEST_MARKER_SECRET is not set',
      },
    ]);
  });

  it('every history route needs the admin token', async () => {
    for (const [method, path] of [
      ['POST', '/config/versions'],
      ['GET', '/config/versions'],
      ['GET', '/config/versions/1'],
      ['GET', '/config/diff/1/2'],
      ['POST', '/config/rollback'],
      ['GET', '/config/instances'],
      ['GET', '/config/audit'],
    ] as const)
      expect((await fetch(`${gateway.adminUrl}${path}`, { method })).status, `${method} ${path}`).toBe(401);
  });

  it('the audit trail keeps every change and refusal, in order, with who made it', async () => {
    const { events } = (await (await admin('/config/audit')).json()) as {
      events: Array<{ action: string; version?: number; actor: string }>;
    };
    expect(events.map(({ action, version }) => [action, version])).toEqual([
      ['config.start', 1],
      ['config.push', 2],
      ['config.refused', undefined],
      ['config.rollback', 3],
      ['config.push', 4],
      ['config.push', 5],
      ['config.refused', undefined],
    ]);
    expect(readFileSync(join(historyDir, 'audit.jsonl'), 'utf8').trim().split('\n')).toHaveLength(7);
  });
});

describe('the shared history unreachable', () => {
  it('a push is refused with 503 and nothing changes: the version is built but never swapped in', async () => {
    const closed = await freePort();
    const cut = await startTestGateway({
      ...versionedConfig(upstream.url, 1),
      redis: { url: `redis://127.0.0.1:${closed}`, startupWait: '50ms' },
      versions: { store: 'redis' },
    });
    try {
      const response = await fetch(`${cut.adminUrl}/config/versions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...cut.adminHeaders },
        body: JSON.stringify({ config: versionedConfig(upstream.url, 2), message: 'while Redis is down' }),
      });
      expect(response.status).toBe(503);
      expect(((await response.json()) as { detail: string }).detail).toMatch(
        /the shared version history \(Redis\) cannot be appended to: .*; nothing changed/,
      );
      const answer = await fetch(`${cut.url}/main/x`);
      expect(markersOf(answer, (await answer.json()) as { url: string })).toEqual(['v1', 'v1', 'v1', 'v1']);
    } finally {
      await cut.stop();
    }
  });
});
