// Done when, through `npm start`: `portico dev` with the embedded config (gateway/portico.yaml, on
// free ports) starts the gateway and the four services as child processes; a query crossing three
// services returns the joined data, and the services' own request logs show one batched /graphql
// call each for a list of 50. Everything goes through the gateway's public routes, as a newcomer
// would: register, log in, book 50 appointments, then ask for them with GraphQL.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { freePort } from '../../testing/startRedisServer.ts';
import { spawnPortico, type PorticoProcess } from '../../testing/spawnPortico.ts';
import { until } from '../../testing/until.ts';

const SERVICES = ['identity', 'programs', 'appointments', 'resources'] as const;
const EMBEDDED_CONFIG = fileURLToPath(new URL('../../gateway/portico.yaml', import.meta.url));
const ADMIN = { email: 'admin@dev.portico.test', password: `Adm1n-${randomBytes(12).toString('base64url')}` };

let dev: PorticoProcess | undefined;
let dir: string;
let base: string;
const servicePorts = {} as Record<(typeof SERVICES)[number], number>;

/** The embedded config with every port moved to a free one (other tests run beside this one). */
async function devConfig(): Promise<string> {
  const config = parse(readFileSync(EMBEDDED_CONFIG, 'utf8')) as {
    server: { port: number; admin: { port: number } };
    upstreams: Record<string, { url: string }>;
    plugins: Array<{ name: string; options?: { issuers?: Array<{ issuer: string }> } }>;
  };
  config.server.port = await freePort();
  config.server.admin.port = await freePort();
  for (const name of SERVICES) {
    servicePorts[name] = await freePort();
    config.upstreams[name]!.url = `http://127.0.0.1:${servicePorts[name]}`;
  }
  const jwt = config.plugins.find((plugin) => plugin.name === 'auth-jwt')!;
  jwt.options!.issuers![0]!.issuer = config.upstreams['identity']!.url;
  base = `http://127.0.0.1:${config.server.port}`;
  const file = join(dir, 'portico.yaml');
  writeFileSync(file, stringify(config));
  return file;
}

async function call<T>(
  method: string,
  path: string,
  body?: unknown,
  token?: string,
  origin = base,
): Promise<T> {
  const response = await fetch(`${origin}${path}`, {
    method,
    headers: {
      ...(body !== undefined && { 'content-type': 'application/json' }),
      ...(token && { authorization: `Bearer ${token}` }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return JSON.parse(text) as T;
}

const login = async (email: string, password: string) =>
  (await call<{ access_token: string }>('POST', '/api/v1/auth/login', { email, password })).access_token;

async function register(name: string): Promise<{ id: string; token: string }> {
  const email = `${name.toLowerCase().replace(/\s+/g, '-')}-${randomBytes(4).toString('hex')}@dev.portico.test`;
  const password = `Pw-${randomBytes(12).toString('base64url')}`;
  const user = await call<{ id: string }>('POST', '/api/v1/auth/register', { email, password, name });
  return { id: user.id, token: await login(email, password) };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'portico-npm-start-'));
  const config = await devConfig();
  dev = spawnPortico(['dev', '--config', config, '--data-dir', join(dir, 'data'), '--fresh'], {
    PORTICO_ADMIN_EMAIL: ADMIN.email,
    PORTICO_ADMIN_PASSWORD: ADMIN.password,
    PROGRAMS_SYNC_CRON: 'off',
    IDENTITY_KEY_ROTATION_CRON: 'off',
    LOG_LEVEL: 'info',
  });
  await dev.waitForLog((line) => line['event'] === 'listening', 150_000);
  await until(
    'the catalog is synced',
    async () => {
      const page = await call<{ items: unknown[] }>('GET', '/api/v1/programs?limit=5');
      return page.items.length > 0;
    },
    60_000,
  );
}, 240_000);

afterAll(async () => {
  if (dev && dev.child.exitCode === null) {
    dev.child.kill('SIGTERM');
    await dev.exited;
  }
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

/** The services' request log lines (their stdout goes through `portico dev`'s). */
function serviceRequests(): Array<{ name: string; requestId: string; method: string; path: string }> {
  return dev!.stdout.flatMap((text) => {
    try {
      const line = JSON.parse(text) as Record<string, unknown>;
      return line['msg'] === 'request' && SERVICES.includes(line['name'] as never)
        ? [line as { name: string; requestId: string; method: string; path: string }]
        : [];
    } catch {
      return [];
    }
  });
}

describe('npm start (portico dev): /graphql across three services', () => {
  it('returns 50 appointments joined with their program, staff and student, with one batched call per service', async () => {
    // 1. Through the gateway's public REST routes: two staff members, three students, 50 bookings.
    const admin = await login(ADMIN.email, ADMIN.password);
    const staff = [await register('Staff Ada'), await register('Staff Bo')];
    // Roles are set on identity itself: its user admin is not a public route of the gateway.
    for (const member of staff)
      await call(
        'PUT',
        `/auth/users/${member.id}/roles`,
        { roles: ['staff'] },
        admin,
        `http://127.0.0.1:${servicePorts.identity}`,
      );
    const students = [
      await register('Student Cy'),
      await register('Student Di'),
      await register('Student Ed'),
    ];
    const programs = (
      await call<{ items: Array<{ id: string }> }>('GET', '/api/v1/programs?limit=10')
    ).items.map((program) => program.id);
    const start = Date.now() + 86_400_000;
    for (let index = 0; index < 50; index++) {
      await call(
        'POST',
        '/api/v1/appointments',
        {
          serviceType: 'counselling',
          startsAt: new Date(start + index * 3_600_000).toISOString(),
          staffId: staff[index % staff.length]!.id,
          programId: programs[index % programs.length],
        },
        students[index % students.length]!.token,
      );
    }

    // 2. One GraphQL query over appointments, programs and identity.
    const response = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
      body: JSON.stringify({
        query:
          'query Agenda { appointments(limit: 50) { items { startsAt program { title } staff { name } student { name } } } }',
      }),
    });
    const body = (await response.json()) as {
      errors?: unknown;
      data: { appointments: { items: Array<Record<string, { name?: string; title?: string }>> } };
    };
    expect(body.errors).toBeUndefined();
    expect(response.status).toBe(200);
    const items = body.data.appointments.items;
    expect(items).toHaveLength(50);
    for (const item of items) {
      expect(item['program']!.title).toEqual(expect.any(String));
      expect(item['staff']!.name).toMatch(/^Staff (Ada|Bo)$/);
      expect(item['student']!.name).toMatch(/^Student (Cy|Di|Ed)$/);
    }

    // 3. The services' own logs: the gateway's request id on each subgraph call. A marker request
    // to each service afterwards: once its line is logged, every earlier line of that service is.
    const requestId = response.headers.get('x-request-id')!;
    expect(requestId).toBeTruthy();
    const marker = `marker-${randomBytes(6).toString('hex')}`;
    for (const name of SERVICES)
      await fetch(`http://127.0.0.1:${servicePorts[name]}/healthz`, { headers: { 'x-request-id': marker } });
    await until('every service logged the marker', async () => {
      const marked = new Set(
        serviceRequests()
          .filter((line) => line.requestId === marker)
          .map((line) => line.name),
      );
      return SERVICES.every((name) => marked.has(name));
    });
    const calls = Object.fromEntries(SERVICES.map((name) => [name, 0]));
    for (const line of serviceRequests())
      if (line.requestId === requestId && line.path === '/graphql') calls[line.name]! += 1;
    expect(calls).toEqual({ appointments: 1, programs: 1, identity: 1, resources: 0 });
  }, 180_000);
});
