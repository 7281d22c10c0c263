// The strategy inside a whole gateway: keys issued on the admin API (over HTTP), presented two
// ways, revoked, scoped per route, next to auth-jwt, and read by the rate-limit plugin.
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestIssuer, type TestIssuer } from '../auth-jwt/testing/testIssuer.ts';
import { apiKeyAdminClient } from './adminClient.ts';
import { startTestGateway, startUpstream, type TestGateway, type TestUpstream } from '../../testing/index.ts';

let upstream: TestUpstream;
let issuer: TestIssuer;
let gateway: TestGateway;
let admin: ReturnType<typeof apiKeyAdminClient>;
const logLines: string[] = [];

beforeAll(async () => {
  [upstream, issuer] = await Promise.all([startUpstream(), startTestIssuer()]);
  const logStream = new Writable({
    write(chunk, _encoding, done) {
      logLines.push(String(chunk));
      done();
    },
  });
  gateway = await startTestGateway(
    {
      upstreams: { api: { url: upstream.url, health: false } },
      plugins: [
        {
          name: 'auth-jwt',
          options: { issuers: [{ issuer: issuer.issuer, audiences: ['portico'], jwksUri: issuer.jwksUri }] },
        },
        { name: 'api-key', options: { store: { type: 'memory' } } },
        {
          name: 'rate-limit',
          options: { policies: [{ by: 'apiKey', points: 1000, per: '1m' }], store: 'memory' },
        },
      ],
      routes: [
        { path: '/partner/{rest*}', upstream: 'api', auth: 'required', plugins: { 'api-key': {} } },
        {
          path: '/programs/{rest*}',
          upstream: 'api',
          auth: 'required',
          plugins: { 'api-key': { scopes: ['programs:read'] } },
        },
        { path: '/users-only/{rest*}', upstream: 'api', auth: 'required' },
        { path: '/maybe/{rest*}', upstream: 'api', auth: 'optional', plugins: { 'api-key': {} } },
        { path: '/open/{rest*}', upstream: 'api', auth: 'none' },
      ],
    },
    { logger: pino({ level: 'debug' }, logStream) },
  );
  admin = apiKeyAdminClient(gateway.adminUrl, gateway.adminHeaders);
});
afterAll(async () => {
  await gateway?.stop();
  await Promise.all([upstream?.close(), issuer?.stop()]);
});

async function get(path: string, headers: Record<string, string> = {}) {
  const before = upstream.seen.length;
  const response = await fetch(`${gateway.url}${path}`, { headers });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
    forwarded: upstream.seen.length - before,
  };
}

describe('api-key admin API', () => {
  it('creates a key (shown once), lists and shows it without the key or its hash', async () => {
    const created = await admin.create({
      name: 'Campus partner',
      owner: 'partner-ops',
      scopes: ['programs:read'],
    });
    expect(created.key).toMatch(/^ptk_/);
    expect(created).toMatchObject({
      name: 'Campus partner',
      owner: 'partner-ops',
      scopes: ['programs:read'],
    });
    const listed = await admin.list();
    const shown = await admin.get(created.id);
    for (const view of [JSON.stringify(listed), JSON.stringify(shown)]) {
      expect(view).toContain(created.id);
      expect(view).not.toContain(created.key);
      expect(view).not.toContain('hash');
    }
  });

  it('refuses a bad request with 400 naming the field, and an unknown id with 404', async () => {
    const response = await fetch(`${gateway.adminUrl}/api-keys`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...gateway.adminHeaders },
      body: JSON.stringify({ name: 'x' }),
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { message: string }).message).toContain('owner');
    await expect(admin.revoke('key_missing')).rejects.toThrow(/404/);
  });

  it('is on the admin listener only, not on the public one', async () => {
    expect((await fetch(`${gateway.url}/api-keys`)).status).toBe(404);
  });
});

describe('api-key on routes', () => {
  it('accepts a key as X-API-Key and as Authorization: ApiKey; the upstream gets the key id and owner, never the key', async () => {
    const { key, id } = await admin.create({ name: 'p', owner: 'partner-a' });
    const ways: Array<Record<string, string>> = [{ 'x-api-key': key }, { authorization: `ApiKey ${key}` }];
    for (const headers of ways) {
      const response = await get('/partner/x', {
        ...headers,
        'x-api-key-id': 'spoofed',
        'x-api-key-owner': 'spoofed',
      });
      expect(response.status).toBe(200);
      const seen = upstream.seen.at(-1)!.headers;
      expect(seen['x-api-key-id']).toBe(id);
      expect(seen['x-api-key-owner']).toBe('partner-a');
      expect(seen['x-api-key']).toBeUndefined();
      expect(seen.authorization).toBeUndefined();
      expect(JSON.stringify(seen)).not.toContain(key);
    }
  });

  it('stops a key right after it is revoked: 401, nothing forwarded', async () => {
    const { key, id } = await admin.create({ name: 'p', owner: 'partner-b' });
    expect((await get('/partner/x', { 'x-api-key': key })).status).toBe(200);
    await admin.revoke(id);
    const response = await get('/partner/x', { 'x-api-key': key });
    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(response.body.detail).toBe('API key revoked');
    expect(response.headers.get('www-authenticate')).toBe(
      'ApiKey error="invalid_key", error_description="API key revoked"',
    );
    expect(response.forwarded).toBe(0);
  });

  it('refuses unknown and malformed keys with 401, nothing forwarded', async () => {
    const unknown = await get('/partner/x', { 'x-api-key': `ptk_${'A'.repeat(43)}` });
    expect([unknown.status, unknown.body.detail, unknown.forwarded]).toEqual([401, 'unknown API key', 0]);
    const malformed = await get('/partner/x', { 'x-api-key': 'hunter2' });
    expect([malformed.status, malformed.body.detail, malformed.forwarded]).toEqual([
      401,
      'malformed API key',
      0,
    ]);
  });

  it('checks route scopes: 403 naming the missing scope', async () => {
    const without = await admin.create({ name: 'p', owner: 'o', scopes: ['appointments:read'] });
    const denied = await get('/programs/x', { 'x-api-key': without.key });
    expect([denied.status, denied.body.detail, denied.forwarded]).toEqual([
      403,
      'missing scope: programs:read',
      0,
    ]);
    const withScope = await admin.create({ name: 'p', owner: 'o', scopes: ['programs:read'] });
    expect((await get('/programs/x', { 'x-api-key': withScope.key })).status).toBe(200);
  });

  it('is not accepted on a route that does not list api-key (acceptOn: listed-routes)', async () => {
    const { key } = await admin.create({ name: 'p', owner: 'o' });
    const response = await get('/users-only/x', { 'x-api-key': key });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer, ApiKey');
    expect(response.forwarded).toBe(0);
  });

  it('sits beside auth-jwt: a bearer token or a key passes; neither is 401 with both challenges', async () => {
    const { key } = await admin.create({ name: 'p', owner: 'o' });
    expect((await get('/partner/x', { authorization: `Bearer ${await issuer.sign()}` })).status).toBe(200);
    expect(upstream.seen.at(-1)!.headers['x-user-id']).toBe('user-1');
    expect((await get('/partner/x', { 'x-api-key': key })).status).toBe(200);
    const neither = await get('/partner/x');
    expect(neither.status).toBe(401);
    expect(neither.headers.get('www-authenticate')).toBe('Bearer, ApiKey');
  });

  it('optional routes pass without a key; a key sent to a route without auth never reaches the upstream', async () => {
    expect((await get('/maybe/x')).status).toBe(200);
    const { key } = await admin.create({ name: 'p', owner: 'o' });
    expect((await get('/open/x', { 'x-api-key': key })).status).toBe(200);
    expect(upstream.seen.at(-1)!.headers['x-api-key']).toBeUndefined();
  });

  it("gives the rate-limit plugin the key's own policy through request.auth.credentials", async () => {
    const { key } = await admin.create({
      name: 'small quota',
      owner: 'o',
      rateLimit: { points: 2, duration: '1m' },
    });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await get('/partner/x', { 'x-api-key': key })).status);
    expect(statuses).toEqual([200, 200, 429]);
  });

  it('never writes a key into the logs or /config', async () => {
    const { key } = await admin.create({ name: 'p', owner: 'o' });
    await get('/partner/x', { 'x-api-key': key });
    await get('/partner/x', { 'x-api-key': key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A') });
    expect(logLines.length).toBeGreaterThan(0);
    expect(logLines.join('')).not.toContain(key.slice(4));
    const config = await (await fetch(`${gateway.adminUrl}/config`)).text();
    expect(config).not.toContain(key.slice(4));
  });
});
