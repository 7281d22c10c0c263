// Without Redis the default store is a file: keys survive a gateway restart. The `portico keys`
// CLI, run as a real process, issues, lists and revokes keys on a running gateway.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiKeyAdminClient } from './adminClient.ts';
import {
  startTestGateway,
  startUpstream,
  runKeys,
  type TestGateway,
  type TestUpstream,
  PORTICO_BIN,
} from '../../testing/index.ts';

const run = promisify(execFile);
let dir: string;
let upstream: TestUpstream;
const gateways: TestGateway[] = [];

const start = (path: string) =>
  startTestGateway({
    upstreams: { api: { url: upstream.url, health: false } },
    plugins: [{ name: 'api-key', options: { store: { path } } }],
    routes: [{ path: '/partner/{rest*}', upstream: 'api', auth: 'required', plugins: { 'api-key': {} } }],
  }).then((gateway) => (gateways.push(gateway), gateway));

const status = async (gateway: TestGateway, key: string) =>
  (await fetch(`${gateway.url}/partner/x`, { headers: { 'x-api-key': key } })).status;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'portico-keys-e2e-'));
  upstream = await startUpstream();
});
afterAll(async () => {
  for (const gateway of gateways) await gateway.stop();
  await upstream?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('api-key file store (default without Redis)', () => {
  it('keeps keys and revocations across a gateway restart; the file holds no key', async () => {
    const path = join(dir, 'restart.json');
    const first = await start(path);
    const client = apiKeyAdminClient(first.adminUrl, first.adminHeaders);
    const kept = await client.create({ name: 'kept', owner: 'o' });
    const revoked = await client.create({ name: 'revoked', owner: 'o' });
    await client.revoke(revoked.id);
    await first.stop();
    gateways.splice(gateways.indexOf(first), 1);

    const second = await start(path);
    expect(await status(second, kept.key)).toBe(200);
    expect(await status(second, revoked.key)).toBe(401);
    const text = readFileSync(path, 'utf8');
    expect(text).not.toContain(kept.key);
    expect(text).not.toContain(revoked.key);
  });
});

describe('portico keys (CLI)', () => {
  it('creates, lists and revokes a key on a running gateway; the key stops working at once', async () => {
    const gateway = await start(join(dir, 'cli.json'));
    // A real process for create and revoke (proves the dispatch in gateway/cli/main.ts); list in-process.
    const cli = (...args: string[]) =>
      run(process.execPath, [PORTICO_BIN, 'keys', ...args, '--admin', gateway.adminUrl], {
        cwd: process.cwd(),
        env: { ...process.env, PORTICO_ADMIN_TOKEN: gateway.adminToken },
      });
    const inProcess = async (...args: string[]) => {
      const lines: string[] = [];
      const code = await runKeys([...args, '--admin', gateway.adminUrl], (line) => lines.push(line), {
        ...process.env,
        PORTICO_ADMIN_TOKEN: gateway.adminToken,
      });
      return { code, stdout: lines.join('\n') };
    };

    const created = JSON.parse(
      (
        await cli(
          'create',
          '--name',
          'Partner',
          '--owner',
          'partner-ops',
          '--scopes',
          'programs:read',
          '--points',
          '50',
          '--duration',
          '1m',
          '--json',
        )
      ).stdout,
    ) as { id: string; key: string; rateLimit: unknown; scopes: string[] };
    expect(created.key).toMatch(/^ptk_/);
    expect(created.rateLimit).toEqual({ points: 50, duration: 60 });
    expect(created.scopes).toEqual(['programs:read']);
    expect(await status(gateway, created.key)).toBe(200);

    const listed = await inProcess('list');
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain(`${created.id}\tPartner\tpartner-ops\tprograms:read\tactive`);
    expect(listed.stdout).not.toContain(created.key);

    expect((await cli('revoke', created.id)).stdout).toContain(`${created.id} revoked at`);
    expect(await status(gateway, created.key)).toBe(401);
    expect((await inProcess('list')).stdout).toContain(
      `${created.id}\tPartner\tpartner-ops\tprograms:read\trevoked`,
    );
  });

  it('answers 2 with usage when create lacks --owner or the action is unknown', async () => {
    const lines: string[] = [];
    expect(await runKeys(['create', '--name', 'x'], (line) => lines.push(line))).toBe(2);
    expect(await runKeys(['rotate'], (line) => lines.push(line))).toBe(2);
    expect(await runKeys([], (line) => lines.push(line))).toBe(2);
    expect(lines.join('\n')).toContain('usage: portico keys');
  });
});
