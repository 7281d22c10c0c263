// Keys issued with a plan, through a real gateway with the rate-limit plugin: the plan's fields on
// the admin API and the CLI, its monthly quota and own limit visible to the key's owner in the
// RateLimit fields, its allowed routes (403 elsewhere) and its expiry (401 once past).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiKeyAdminClient } from './adminClient.ts';
import { generateKey, generateKeyId, hashKey, type StoredApiKey } from './apiKeys.ts';
import { createKeyRequest } from './schema.ts';
import {
  runKeys,
  startTestGateway,
  startUpstream,
  type TestGateway,
  type TestUpstream,
} from '../../testing/index.ts';

let dir: string;
let upstream: TestUpstream;
let gateway: TestGateway;
let admin: ReturnType<typeof apiKeyAdminClient>;
// A key whose expiry has passed, written to the key file before the gateway starts (no waiting on a clock).
const expiredKey = generateKey();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'portico-plans-'));
  const path = join(dir, 'keys.json');
  const expired: StoredApiKey = {
    id: generateKeyId(),
    name: 'old partner',
    owner: 'o',
    scopes: [],
    expiresAt: '2020-01-31T00:00:00.000Z',
    createdAt: '2019-01-01T00:00:00.000Z',
    hash: hashKey(expiredKey),
  };
  writeFileSync(path, JSON.stringify({ version: 1, keys: [expired] }));
  upstream = await startUpstream();
  gateway = await startTestGateway({
    upstreams: { api: { url: upstream.url, health: false } },
    plugins: [
      { name: 'api-key', options: { store: { type: 'file', path } } },
      { name: 'rate-limit', options: { policies: [{ by: 'ip', points: 1000, per: '1m' }], store: 'memory' } },
    ],
    routes: [
      {
        name: 'programs',
        path: '/programs/{rest*}',
        upstream: 'api',
        auth: 'required',
        plugins: { 'api-key': {} },
      },
      {
        name: 'resources',
        path: '/resources/{rest*}',
        upstream: 'api',
        auth: 'required',
        plugins: { 'api-key': {} },
      },
    ],
  });
  admin = apiKeyAdminClient(gateway.adminUrl, gateway.adminHeaders);
});
afterAll(async () => {
  await gateway?.stop();
  await upstream?.close();
  rmSync(dir, { recursive: true, force: true });
});

const get = async (path: string, key: string) => {
  const response = await fetch(`${gateway.url}${path}`, { headers: { 'x-api-key': key } });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
  };
};

describe('api-key plans: the fields', () => {
  it('an expiry date means through that day (UTC); an instant is kept as it is', () => {
    const parse = (expiresAt: string) => createKeyRequest.safeParse({ name: 'n', owner: 'o', expiresAt });
    expect(parse('2030-06-30').data?.expiresAt).toBe('2030-07-01T00:00:00.000Z');
    expect(parse('2030-06-30T12:00:00+02:00').data?.expiresAt).toBe('2030-06-30T10:00:00.000Z');
    expect(parse('June 30').success).toBe(false);
    expect(createKeyRequest.safeParse({ name: 'n', owner: 'o', monthlyQuota: 0 }).success).toBe(false);
    expect(createKeyRequest.safeParse({ name: 'n', owner: 'o', routes: [] }).success).toBe(false);
  });

  it('the admin API issues a key with its plan and shows it; an expiry in the past is refused', async () => {
    const created = await admin.create({
      name: 'Partner',
      owner: 'partner-ops',
      plan: 'partner-basic',
      scopes: ['programs:read'],
      rateLimit: { points: 60, duration: '1m' },
      monthlyQuota: 10_000,
      routes: ['programs'],
      expiresAt: '2099-12-31',
    });
    expect(await admin.get(created.id)).toMatchObject({
      plan: 'partner-basic',
      rateLimit: { points: 60, duration: 60 },
      monthlyQuota: 10_000,
      routes: ['programs'],
      expiresAt: '2100-01-01T00:00:00.000Z',
    });
    await expect(admin.create({ name: 'p', owner: 'o', expiresAt: '2001-01-01' })).rejects.toThrow(
      /400 expiresAt: must be in the future/,
    );
  });
});

describe('api-key plans at the edge', () => {
  it("shows the key's monthly quota and own limit to its owner in the RateLimit fields, then 429", async () => {
    const { key } = await admin.create({
      name: 'q',
      owner: 'o',
      monthlyQuota: 2,
      rateLimit: { points: 5, duration: 60 },
    });
    const answers = [
      await get('/programs/x', key),
      await get('/programs/x', key),
      await get('/programs/x', key),
    ];
    expect(answers.map(({ status }) => status)).toEqual([200, 200, 429]);
    expect(answers[0]!.headers.get('ratelimit-policy')).toMatch(
      /^"ip";q=1000;w=60, "apiKey";q=5;w=60, "monthly";q=2;w=\d+$/,
    );
    expect(answers[0]!.headers.get('ratelimit')).toMatch(/"apiKey";r=4;t=\d+, "monthly";r=1;t=\d+$/);
    expect(answers[2]!.body.detail).toBe('rate limit "monthly" exceeded');
    expect(Number(answers[2]!.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('refuses the key on a route its plan does not list (403), nothing forwarded', async () => {
    const { key } = await admin.create({ name: 'r', owner: 'o', routes: ['programs'] });
    expect((await get('/programs/x', key)).status).toBe(200);
    const before = upstream.seen.length;
    const denied = await get('/resources/x', key);
    expect([denied.status, denied.body.detail]).toEqual([403, 'this API key may not be used on this route']);
    expect(upstream.seen.length).toBe(before);
  });

  it('refuses an expired key with 401 and the ApiKey challenge', async () => {
    const before = upstream.seen.length;
    const expired = await get('/programs/x', expiredKey);
    expect([expired.status, expired.body.detail]).toEqual([401, 'API key expired']);
    expect(expired.headers.get('www-authenticate')).toBe(
      'ApiKey error="invalid_key", error_description="API key expired"',
    );
    expect(upstream.seen.length).toBe(before);
    const { key } = await admin.create({ name: 'fresh', owner: 'o', expiresAt: '2099-01-01' });
    expect((await get('/programs/x', key)).status).toBe(200);
  });
});

describe('portico keys create with a plan', () => {
  it('issues the plan from the command line and lists it', async () => {
    const lines: string[] = [];
    const run = (...args: string[]) =>
      runKeys([...args, '--admin', gateway.adminUrl], (line) => lines.push(line), {
        ...process.env,
        PORTICO_ADMIN_TOKEN: gateway.adminToken,
      });
    expect(
      await run(
        'create',
        '--name',
        'CLI partner',
        '--owner',
        'ops',
        '--plan',
        'gold',
        '--points',
        '100',
        '--duration',
        '1m',
        '--monthly-quota',
        '50000',
        '--routes',
        'programs,resources',
        '--expires',
        '2099-06-30',
        '--json',
      ),
    ).toBe(0);
    const created = JSON.parse(lines.pop()!) as {
      id: string;
      plan: string;
      monthlyQuota: number;
      routes: string[];
      expiresAt: string;
    };
    expect(created).toMatchObject({
      plan: 'gold',
      monthlyQuota: 50000,
      routes: ['programs', 'resources'],
      expiresAt: '2099-07-01T00:00:00.000Z',
    });
    expect(await run('list')).toBe(0);
    expect(lines.pop()).toContain(
      `${created.id}\tCLI partner\tops\t-\tactive\tgold 100/60s 50000/month routes=programs,resources until 2099-07-01T00:00:00.000Z`,
    );
    expect(await run('create', '--name', 'x', '--owner', 'o', '--monthly-quota', 'lots')).toBe(2);
  });
});
