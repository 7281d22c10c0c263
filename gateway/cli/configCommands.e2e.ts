// `portico config ...` against a real `portico start` process, and the config file as a source:
// saving it reloads, SIGHUP reloads, an invalid file is refused naming the bad key while the
// running config keeps serving.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnPortico, type PorticoProcess } from '../../testing/spawnPortico.ts';
import { freePort } from '../../testing/startRedisServer.ts';
import { startUpstream, type TestUpstream } from '../../testing/startUpstream.ts';
import { until } from '../../testing/until.ts';
import { markersOf, versionedConfig } from '../versions/testing/versionedConfig.ts';
import { runConfig } from './runConfig.ts';

const TOKEN = 'a-token-for-the-config-commands-test';
let dir: string;
let upstream: TestUpstream;
let portico: PorticoProcess;
let base: string;
let admin: string;
/** The file's instance-local keys: kept as they are each time the test saves it. */
let local: Record<string, unknown>;
const configFile = () => join(dir, 'portico.yaml');

const fileFor = (n: number, extra: Record<string, unknown> = {}) =>
  stringify({ ...versionedConfig(upstream.url, n), ...extra });

async function markers(): Promise<string[]> {
  const response = await fetch(`${base}/main/x`);
  return markersOf(response, (await response.json()) as { url: string });
}

async function config(args: string[], env: NodeJS.ProcessEnv = { PORTICO_ADMIN_TOKEN: TOKEN }) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runConfig(
    [...args, '--admin', admin],
    (line) => out.push(line),
    env,
    (line) => err.push(line),
  );
  return { code, out: out.join('\n'), err: err.join('\n') };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'portico-config-cli-'));
  upstream = await startUpstream();
  const [port, adminPort] = [await freePort(), await freePort()];
  local = {
    server: { host: '127.0.0.1', port, admin: { port: adminPort } },
    versions: { dir: join(dir, 'history') },
  };
  writeFileSync(configFile(), fileFor(1, local));
  // Later versions are pushed from files without the instance-local keys, as ops would write them.
  writeFileSync(join(dir, 'v2.yaml'), fileFor(2));
  const broken = versionedConfig(upstream.url, 3) as { routes: Array<Record<string, unknown>> };
  broken.routes[1]!.upstream = 'nowhere';
  writeFileSync(join(dir, 'broken.yaml'), stringify(broken));
  portico = spawnPortico(['start', '--config', configFile()], {
    PORTICO_ADMIN_TOKEN: TOKEN,
    LOG_LEVEL: 'info',
  });
  await portico.waitForLog((line) => line.event === 'listening');
  base = `http://127.0.0.1:${port}`;
  admin = `http://127.0.0.1:${adminPort}`;
});

afterAll(async () => {
  portico?.child.kill('SIGTERM');
  await portico?.exited;
  await upstream?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('portico config', () => {
  it('push FILE -m applies it (exit 0) and says which version it is', async () => {
    const pushed = await config(['push', join(dir, 'v2.yaml'), '-m', 'version two']);
    expect(pushed).toMatchObject({
      code: 0,
      out: expect.stringMatching(/^version 2 \([0-9a-f]{12}\) applied$/),
    });
    expect(await markers()).toEqual(['v2', 'v2', 'v2', 'v2']);
    const again = await config(['push', join(dir, 'v2.yaml'), '-m', 'again']);
    expect(again).toMatchObject({
      code: 0,
      out: 'unchanged: the gateway already runs this content (version 2)',
    });
  });

  it('an invalid file is refused with the path of the bad key (exit 1); the gateway keeps serving', async () => {
    const refused = await config(['push', join(dir, 'broken.yaml'), '-m', 'broken']);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain(
      `${join(dir, 'broken.yaml')}: invalid config (refused; the running config stays)`,
    );
    expect(refused.err).toContain('  routes[1].upstream: no upstream named "nowhere" (known: up)');
    expect(await markers()).toEqual(['v2', 'v2', 'v2', 'v2']);
  });

  it('history, diff and show', async () => {
    const history = await config(['history']);
    expect(history.code).toBe(0);
    const lines = history.out.split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^\* 2\t[0-9a-f]{12}\t\S+\t\S+\tpush\tversion two$/);
    expect(lines[1]).toMatch(/^ {2}1\t[0-9a-f]{12}\t\S+\tstart\tstart\t/);

    const diff = await config(['diff', '1', '2']);
    expect(diff.code).toBe(0);
    expect(diff.out).toContain('~ plugins[0].options.referrerPolicy: "v1" → "v2"');
    expect(diff.out).toContain('~ routes[1].name: "added-1" → "added-2"');

    const show = await config(['show', '2']);
    expect(show.out).toContain('referrerPolicy: v2');
    expect(show.out).not.toContain('port:');
  });

  it('rollback VERSION restores it (same hash); an unknown one is exit 1', async () => {
    const rolled = await config(['rollback', '1', '-m', 'back to the start']);
    expect(rolled).toMatchObject({
      code: 0,
      out: expect.stringMatching(/^version 3 \([0-9a-f]{12}\) applied: the document of version 1$/),
    });
    expect(await markers()).toEqual(['v1', 'v1', 'v1', 'v1']);
    const history = (await config(['history', '--json'])).out;
    const versions = (JSON.parse(history) as { versions: Array<{ number: number; hash: string }> }).versions;
    expect(versions.find(({ number }) => number === 3)!.hash).toBe(
      versions.find(({ number }) => number === 1)!.hash,
    );
    expect((await config(['rollback', '99'])).code).toBe(1);
  });

  it('without the token: exit 1 and where to set one', async () => {
    const empty = mkdtempSync(join(dir, 'no-dev-data-'));
    const denied = await config(['history'], { PORTICO_DATA_DIR: empty });
    expect(denied.code).toBe(1);
    expect(denied.err).toContain('401');
    expect(denied.err).toContain('no admin token found: set PORTICO_ADMIN_TOKEN');
  });

  it('usage errors are exit 2', async () => {
    expect((await config(['push'])).code).toBe(2);
    expect((await config(['frobnicate'])).code).toBe(2);
  });

  it('saving the config file reloads it; SIGHUP with an invalid file is refused by path and v4 keeps serving', async () => {
    writeFileSync(configFile(), fileFor(4, local));
    await until('the saved file is served', async () => (await markers())[0] === 'v4');
    expect(await markers()).toEqual(['v4', 'v4', 'v4', 'v4']);

    const broken = versionedConfig(upstream.url, 5) as { plugins: Array<Record<string, unknown>> };
    broken.plugins[0]!.options = { referrerPolicy: 5 };
    const onSave = portico.waitForLog((line) => line.event === 'config_file_refused');
    writeFileSync(configFile(), stringify({ ...broken, ...local }));
    expect(await onSave).toMatchObject({ source: 'file' });
    const onSighup = portico.waitForLog(
      (line) => line.event === 'config_file_refused' && line.source === 'sighup',
    );
    portico.child.kill('SIGHUP');
    const line = await onSighup;
    expect((line.issues as Array<{ path: string }>).map(({ path }) => path)).toEqual([
      'plugins[0].options.referrerPolicy',
    ]);
    expect(await markers()).toEqual(['v4', 'v4', 'v4', 'v4']);
    const history = await config(['history']);
    expect(history.out.split('\n')[0]).toMatch(/^\* 4\t.*\tfile\tfile changed: /);
  });
});
