// Cluster mode: the primary keeps the history; a version pushed to its admin listener is built by
// every worker and swapped by all of them; one that does not validate changes nothing anywhere; a
// worker that replaces a dead one starts on the version the cluster runs, not on the file.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnPortico, type PorticoProcess } from '../../testing/spawnPortico.ts';
import { freePort } from '../../testing/startRedisServer.ts';
import { startUpstream, type TestUpstream } from '../../testing/startUpstream.ts';
import { until } from '../../testing/until.ts';
import { markersOf, versionedConfig } from '../versions/testing/versionedConfig.ts';

const TOKEN = 'a-token-for-the-cluster-versions-test';
const headers = { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` };
let dir: string;
let upstream: TestUpstream;
let portico: PorticoProcess;
let base: string;
let admin: string;

/** Markers of `count` answers, each on a fresh connection: the primary hands them to the workers in turn. */
async function markersAcrossWorkers(count = 12): Promise<string[][]> {
  const all: string[][] = [];
  for (let index = 0; index < count; index++) {
    const response = await new Promise<{ headers: Headers; body: string }>((resolve, reject) => {
      http
        .get(`${base}/main/x`, { agent: false }, (res) => {
          let body = '';
          res.on('data', (chunk: Buffer) => (body += chunk.toString()));
          res.on('end', () => {
            const fields = new Headers();
            for (const [name, value] of Object.entries(res.headers))
              if (typeof value === 'string') fields.set(name, value);
            resolve({ headers: fields, body });
          });
        })
        .on('error', reject);
    });
    all.push(markersOf(response, JSON.parse(response.body) as { url: string }));
  }
  return all;
}

const push = (config: unknown, message: string) =>
  fetch(`${admin}/config/versions`, { method: 'POST', headers, body: JSON.stringify({ config, message }) });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'portico-cluster-versions-'));
  upstream = await startUpstream();
  const [port, adminPort] = [await freePort(), await freePort()];
  writeFileSync(
    join(dir, 'portico.yaml'),
    stringify({
      ...versionedConfig(upstream.url, 1),
      server: { host: '127.0.0.1', port, admin: { port: adminPort } },
      versions: { dir: join(dir, 'history'), watch: false },
    }),
  );
  portico = spawnPortico(['start', '--config', join(dir, 'portico.yaml'), '--workers', '2'], {
    PORTICO_ADMIN_TOKEN: TOKEN,
  });
  await portico.waitForLog((line) => line.event === 'listening' && line.workers === 2, 60_000);
  base = `http://127.0.0.1:${port}`;
  admin = `http://127.0.0.1:${adminPort}`;
});

afterAll(async () => {
  if (portico && portico.child.exitCode === null) {
    portico.child.kill('SIGTERM');
    await portico.exited;
  }
  await upstream?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('portico start --workers 2 and the config history', () => {
  it('a pushed version is applied by every worker', async () => {
    expect(new Set((await markersAcrossWorkers()).flat())).toEqual(new Set(['v1']));
    const response = await push(versionedConfig(upstream.url, 2), 'version two');
    expect(response.status).toBe(201);
    expect(new Set((await markersAcrossWorkers()).flat())).toEqual(new Set(['v2']));
    const instances = (await (await fetch(`${admin}/config/instances`, { headers })).json()) as {
      instances: Array<{ version: number }>;
    };
    expect(instances.instances.map(({ version }) => version)).toEqual([2]);
  });

  it('an invalid version is refused by path and no worker changes', async () => {
    const bad = versionedConfig(upstream.url, 3) as { routes: Array<Record<string, unknown>> };
    bad.routes[0]!.upstream = 'nowhere';
    const response = await push(bad, 'broken');
    expect(response.status).toBe(422);
    expect(
      ((await response.json()) as { issues: Array<{ path: string }> }).issues.map(({ path }) => path),
    ).toEqual(['routes[0].upstream']);
    expect(new Set((await markersAcrossWorkers()).flat())).toEqual(new Set(['v2']));
  });

  it('a worker that replaces a dead one builds the version the cluster runs', async () => {
    const ready = (await (await fetch(`${admin}/readyz`)).json()) as { workers: Array<{ pid: number }> };
    const victim = ready.workers[0]!.pid;
    process.kill(victim, 'SIGKILL');
    await until(
      'the dead worker is replaced',
      async () => {
        const now = (await (await fetch(`${admin}/readyz`)).json()) as {
          ready: boolean;
          workers: Array<{ pid: number }>;
        };
        return now.ready && now.workers.length === 2 && !now.workers.some(({ pid }) => pid === victim);
      },
      60_000,
    );
    expect(new Set((await markersAcrossWorkers()).flat())).toEqual(new Set(['v2']));
  });
});
