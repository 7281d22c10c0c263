// The admin token: state-changing admin routes (the gateway's and every plugin's) need it, read-only
// probe routes do not; a wrong, missing or unconfigured token is refused with problem+json.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../../testing/startTestGateway.ts';
import { startUpstream, type TestUpstream } from '../../testing/startUpstream.ts';
import { ConfigError } from '../config/configIssues.ts';
import { resolveConfig } from '../config/loadConfigFile.ts';
import { createGateway } from '../createGateway.ts';

// The suite decides where the token comes from.
delete process.env.PORTICO_ADMIN_TOKEN;

let upstream: TestUpstream;
let gateway: TestGateway;
let dir: string;
const logLines: Array<Record<string, unknown>> = [];

const config = (upstreamUrl: string) => ({
  upstreams: { up: { url: upstreamUrl, health: false as const } },
  plugins: [{ name: 'api-key', options: { store: { type: 'memory' as const } } }, { name: 'response-cache' }],
  routes: [{ path: '/things/{p*}', upstream: 'up' }],
});

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'portico-admin-token-'));
  upstream = await startUpstream();
  gateway = await startTestGateway(config(upstream.url), {
    logger: pino(
      { level: 'info' },
      { write: (line: string) => void logLines.push(JSON.parse(line) as Record<string, unknown>) },
    ),
  });
});

afterAll(async () => {
  await gateway?.stop();
  await upstream?.close();
  rmSync(dir, { recursive: true, force: true });
});

const createKey = (adminUrl: string, headers: Record<string, string> = {}) =>
  fetch(`${adminUrl}/api-keys`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ name: 'n', owner: 'o' }),
  });

describe('admin token', () => {
  it('a state-changing call without the token is 401 problem+json, and nothing is created', async () => {
    const response = await createKey(gateway.adminUrl);
    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="portico-admin"');
    expect(await response.json()).toMatchObject({ status: 401, detail: expect.stringContaining('Bearer') });
    const listed = await fetch(`${gateway.adminUrl}/api-keys`, { headers: gateway.adminHeaders });
    expect(((await listed.json()) as { keys: unknown[] }).keys).toEqual([]);
  });

  it('a wrong token (same length or not, or not a Bearer) is 401', async () => {
    const sameLength = 'x'.repeat(gateway.adminToken.length);
    for (const authorization of [
      `Bearer ${sameLength}`,
      `Bearer ${gateway.adminToken}x`,
      `Basic ${gateway.adminToken}`,
      gateway.adminToken,
    ])
      expect((await createKey(gateway.adminUrl, { authorization })).status).toBe(401);
  });

  it('with the token the call is done', async () => {
    const response = await createKey(gateway.adminUrl, gateway.adminHeaders);
    expect(response.status).toBe(201);
    const purge = await fetch(`${gateway.adminUrl}/cache`, {
      method: 'DELETE',
      headers: gateway.adminHeaders,
    });
    expect(purge.status).toBe(200);
  });

  it('a key change is an audit event (log line and history), naming the key id and never the key', async () => {
    const created = (await (await createKey(gateway.adminUrl, gateway.adminHeaders)).json()) as {
      id: string;
      key: string;
    };
    const revoke = await fetch(`${gateway.adminUrl}/api-keys/${created.id}`, {
      method: 'DELETE',
      headers: { ...gateway.adminHeaders, 'x-portico-actor': 'ops@example' },
    });
    expect(revoke.status).toBe(200);
    const { events } = (await (
      await fetch(`${gateway.adminUrl}/config/audit`, { headers: gateway.adminHeaders })
    ).json()) as { events: Array<{ action: string; actor: string; detail: Record<string, unknown> }> };
    const changes = events.filter((event) => event.action === 'admin.change');
    expect(changes.slice(-2)).toEqual([
      expect.objectContaining({
        actor: 'admin-token',
        detail: { method: 'POST', path: '/api-keys', status: 201, target: created.id },
      }),
      expect.objectContaining({
        actor: 'ops@example',
        detail: { method: 'DELETE', path: `/api-keys/${created.id}`, status: 200, target: created.id },
      }),
    ]);
    expect(JSON.stringify(events)).not.toContain(created.key);
    const logged = logLines.filter((line) => line.event === 'audit');
    expect(logged.at(-1)).toMatchObject({ audit: { action: 'admin.change', actor: 'ops@example' } });
    expect(JSON.stringify(logLines)).not.toContain(created.key);
  });

  it("a plugin's admin routes are covered without the plugin knowing: DELETE /cache and GET /api-keys", async () => {
    expect((await fetch(`${gateway.adminUrl}/cache`, { method: 'DELETE' })).status).toBe(401);
    expect((await fetch(`${gateway.adminUrl}/api-keys`)).status).toBe(401);
  });

  it('/healthz, /readyz, /metrics and /config answer without the token (GET and HEAD)', async () => {
    for (const path of ['/healthz', '/readyz', '/metrics', '/config']) {
      expect((await fetch(`${gateway.adminUrl}${path}`)).status, path).not.toBe(401);
      expect((await fetch(`${gateway.adminUrl}${path}`, { method: 'HEAD' })).status, path).not.toBe(401);
    }
    expect((await fetch(`${gateway.adminUrl}/healthz`)).status).toBe(200);
  });

  it('with no token configured, state-changing routes answer 503 saying how to set one; /healthz still works', async () => {
    const loaded = await resolveConfig({ ...config(upstream.url), server: { port: 0, admin: { port: 0 } } });
    const bare = await createGateway(loaded, { logger: pino({ level: 'silent' }) });
    try {
      const { adminUrl } = await bare.start();
      const response = await createKey(adminUrl, { authorization: 'Bearer whatever-it-is-here' });
      expect(response.status).toBe(503);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      expect(((await response.json()) as { detail: string }).detail).toMatch(
        /PORTICO_ADMIN_TOKEN or server\.admin\.tokenFile/,
      );
      expect((await fetch(`${adminUrl}/healthz`)).status).toBe(200);
    } finally {
      await bare.stop();
    }
  });

  it('server.admin.tokenFile holds the token; one too short or unreadable is refused naming the key', async () => {
    const file = join(dir, 'token');
    writeFileSync(file, 'a-file-token-of-enough-length\n');
    const loaded = await resolveConfig({
      ...config(upstream.url),
      server: { port: 0, admin: { port: 0, tokenFile: file } },
    });
    const fromFile = await createGateway(loaded, { logger: pino({ level: 'silent' }) });
    try {
      const { adminUrl } = await fromFile.start();
      expect(
        (await createKey(adminUrl, { authorization: 'Bearer a-file-token-of-enough-length' })).status,
      ).toBe(201);
    } finally {
      await fromFile.stop();
    }

    writeFileSync(file, 'short\n');
    const error = await createGateway(loaded, { logger: pino({ level: 'silent' }) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues[0]!.path).toBe('server.admin.tokenFile');

    const missing = await resolveConfig({
      ...config(upstream.url),
      server: { port: 0, admin: { port: 0, tokenFile: join(dir, 'nope') } },
    });
    const unreadable = await createGateway(missing, { logger: pino({ level: 'silent' }) }).catch(
      (e: unknown) => e,
    );
    expect((unreadable as ConfigError).issues).toEqual([
      { path: 'server.admin.tokenFile', message: expect.stringContaining('ENOENT') },
    ]);
  });
});
