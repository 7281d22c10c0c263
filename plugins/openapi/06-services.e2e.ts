// The public contract in front of the real services, routed as the embedded config routes them:
// a tour of every operation of the seeds' API through the gateway, with request validation on and
// every answer checked against the contract (staging mode) — not one mismatch — and an invalid
// booking that the appointments service never sees.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { startTestServices, type TestServices, type TestUser } from '../../services/testing/index.ts';
import { startTestGateway, type PorticoConfigInput, type TestGateway } from '../../testing/index.ts';

let services: TestServices;
let gateway: TestGateway;
let staff: TestUser;
let student: TestUser;
let admin: string;

beforeAll(async () => {
  services = await startTestServices();
  const embedded = YAML.parse(readFileSync('gateway/portico.yaml', 'utf8')) as {
    routes: NonNullable<PorticoConfigInput['routes']>;
  };
  gateway = await startTestGateway({
    upstreams: Object.fromEntries(
      Object.entries(services.urls).map(([name, url]) => [name, { url, health: false }]),
    ),
    plugins: [
      { name: 'auth-jwt', options: { issuers: [{ issuer: services.issuer, audiences: ['portico'] }] } },
      { name: 'api-key', options: { store: { type: 'memory' } } },
      { name: 'dedup' },
      { name: 'openapi' },
    ],
    // The embedded config's routes, each also checking answers against the contract (options of
    // plugins this test does not load, such as the response cache, are left out).
    routes: embedded.routes.map((route) => ({
      ...route,
      plugins: {
        ...Object.fromEntries(
          Object.entries((route.plugins ?? {}) as object).filter(([name]) =>
            ['api-key', 'dedup'].includes(name),
          ),
        ),
        openapi: { responses: true },
      },
    })),
  });
  admin = await services.adminToken();
  [staff, student] = await Promise.all([services.createUser('staff'), services.createUser('student')]);
});
afterAll(async () => {
  await gateway?.stop();
  await services?.stop();
});

async function call(
  method: string,
  path: string,
  options: { token?: string; json?: unknown; body?: FormData; headers?: Record<string, string> } = {},
) {
  const response = await fetch(`${gateway.url}/api/v1${path}`, {
    method,
    headers: {
      ...(options.token && { authorization: `Bearer ${options.token}` }),
      ...(options.json !== undefined && { 'content-type': 'application/json' }),
      ...options.headers,
    },
    body: options.json !== undefined ? JSON.stringify(options.json) : options.body,
  });
  const type = response.headers.get('content-type') ?? '';
  const body: unknown = /json/.test(type) ? await response.json() : Buffer.from(await response.arrayBuffer());
  return { status: response.status, headers: response.headers, body: body as Record<string, unknown> };
}

function pdf(label: string): Buffer {
  return Buffer.from(
    `%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n% ${label}\n${'x'.repeat(2048)}\ntrailer << /Root 1 0 R >>\n%%EOF\n`,
  );
}

describe('the seeds API through the contract', () => {
  it('every operation answers as the contract says, and none is refused by it', async () => {
    const email = `tour-${Date.now()}@campus.edu`;
    expect(
      (await call('POST', '/auth/register', { json: { email, password: 'Correct-Horse-42!', name: 'Tour' } }))
        .status,
    ).toBe(201);
    const login = await call('POST', '/auth/login', { json: { email, password: 'Correct-Horse-42!' } });
    expect(login.status).toBe(200);
    const refreshed = await call('POST', '/auth/refresh', {
      json: { refresh_token: login.body.refresh_token },
    });
    expect(refreshed.status).toBe(200);
    expect(
      (await call('POST', '/auth/logout', { json: { refresh_token: refreshed.body.refresh_token } })).status,
    ).toBe(204);
    // SSO is not configured in the test services: the service's own 501, passed on.
    expect((await call('POST', '/auth/sso', { json: { id_token: 'a.b.c' } })).status).toBe(501);

    const programs = await call('GET', '/programs?limit=5');
    expect(programs.status).toBe(200);
    const items = programs.body.items as { id: string }[];
    expect(items.length).toBeGreaterThan(0);
    expect((await call('GET', `/programs/${items[0]!.id}`)).status).toBe(200);
    expect((await call('GET', '/programs/search?q=health')).status).toBe(200);
    expect((await call('GET', '/programs/filter?from=2000-01-01&limit=2')).status).toBe(200);
    expect(
      (await call('POST', `/programs/${items[0]!.id}/register`, { token: student.accessToken })).status,
    ).toBe(201);

    const booked = await call('POST', '/appointments', {
      token: student.accessToken,
      json: { serviceType: 'counseling', startsAt: '2031-03-04T10:00:00Z', notes: 'First visit.' },
      headers: { 'idempotency-key': `tour-${Date.now()}` },
    });
    expect(booked.status).toBe(201);
    const id = booked.body.id as string;
    expect((await call('GET', '/appointments', { token: student.accessToken })).status).toBe(200);
    expect((await call('GET', `/appointments/${id}`, { token: student.accessToken })).status).toBe(200);
    expect(
      (await call('PUT', `/appointments/${id}`, { token: staff.accessToken, json: { status: 'confirmed' } }))
        .status,
    ).toBe(200);
    expect((await call('DELETE', `/appointments/${id}`, { token: student.accessToken })).status).toBe(204);

    const upload = new FormData();
    upload.set('title', 'Sleep guide');
    upload.set('file', new Blob([new Uint8Array(pdf('sleep'))], { type: 'application/pdf' }), 'sleep.pdf');
    const published = await call('POST', '/resources', { token: admin, body: upload });
    expect(published.status).toBe(201);
    const resourceId = published.body.id as string;
    expect((await call('GET', '/resources', { token: student.accessToken })).status).toBe(200);
    expect((await call('GET', `/resources/${resourceId}`, { token: student.accessToken })).status).toBe(200);
    expect(
      (
        await call('PUT', `/resources/${resourceId}`, {
          token: admin,
          json: { title: 'Sleep guide (2nd edition)' },
        })
      ).status,
    ).toBe(200);
    const part = await call('GET', `/resources/${resourceId}/download`, {
      token: student.accessToken,
      headers: { range: 'bytes=0-7' },
    });
    expect(part.status).toBe(206);
    expect((part.body as unknown as Buffer).toString('latin1')).toBe('%PDF-1.7');

    const metrics = await (await fetch(`${gateway.adminUrl}/metrics`)).text();
    expect(metrics).not.toMatch(/portico_openapi_requests_refused_total\{/);
    expect(metrics).not.toMatch(/portico_openapi_response_mismatches_total\{/);
    const checked = [
      ...metrics.matchAll(/portico_openapi_responses_checked_total\{api="v1",operation="(\w+)"\} \d+/g),
    ]
      .map((match) => match[1])
      .sort();
    // Every operation with a JSON answer (logout and cancel answer 204, download a PDF).
    expect(checked).toEqual([
      'bookAppointment',
      'filterPrograms',
      'getAppointment',
      'getProgram',
      'getResource',
      'listAppointments',
      'listPrograms',
      'listResources',
      'login',
      'publishResource',
      'refresh',
      'register',
      'registerForProgram',
      'searchPrograms',
      'sso',
      'updateAppointment',
      'updateResource',
    ]);
  });

  it('an invalid booking is refused at the edge: the appointments service never sees it', async () => {
    const before = await call('GET', '/appointments?limit=100', { token: student.accessToken });
    const refused = await call('POST', '/appointments', {
      token: student.accessToken,
      json: { serviceType: 'counseling', startsAt: 'next tuesday at ten' },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.errors).toEqual([
      { path: '/body/startsAt', message: 'must match format "date-time"' },
    ]);
    const after = await call('GET', '/appointments?limit=100', { token: student.accessToken });
    expect((after.body.items as unknown[]).length).toBe((before.body.items as unknown[]).length);
  });
});
