// The public contract enforced by a real gateway in front of a real upstream: bad requests never
// reach it, good ones arrive byte for byte (also through dedup and retry), unknown operations are
// the edge's 404/405, and response validation reports without changing what the client gets.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, startUpstream, type TestGateway, type TestUpstream } from '../../testing/index.ts';

const APPOINTMENT_ID = '9b2d6c1e-7f4a-4e3b-8c5d-1a2b3c4d5e6f';
const appointment = {
  id: APPOINTMENT_ID,
  studentId: '0e1f2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b',
  staffId: null,
  programId: null,
  serviceType: 'counseling',
  startsAt: '2026-12-10T10:00:00Z',
  status: 'requested',
  notes: null,
  createdAt: '2026-12-01T12:00:00Z',
  updatedAt: '2026-12-01T12:00:00Z',
};

let upstream: TestUpstream;
let gateway: TestGateway;
const bodies: string[] = [];
const logLines: string[] = [];

beforeAll(async () => {
  upstream = await startUpstream((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      bodies.push(Buffer.concat(chunks).toString('utf8'));
      res.setHeader('content-type', 'application/json');
      res.statusCode = req.method === 'POST' ? 201 : 200;
      res.end(JSON.stringify(appointment));
    });
  });
  const logStream = new Writable({
    write(chunk, _encoding, done) {
      logLines.push(String(chunk));
      done();
    },
  });
  gateway = await startTestGateway(
    {
      upstreams: { appointments: { url: upstream.url, health: false } },
      plugins: [{ name: 'openapi', options: { maxBodySize: '4kb' } }, { name: 'dedup' }, { name: 'retry' }],
      routes: [
        {
          name: 'appointments',
          path: '/api/v1/appointments/{rest*}',
          upstream: 'appointments',
          stripPrefix: '/api/v1',
        },
        // A route that turns the plugin off: nothing is checked, unknown operations included.
        {
          name: 'appointments-unchecked',
          path: '/api/v1/appointments/{id}/unchecked',
          upstream: 'appointments',
          stripPrefix: '/api/v1',
          plugins: { openapi: false },
        },
        // Staging: a "resources" service that answers with the wrong shape; answers are checked.
        {
          name: 'resources-staging',
          path: '/api/v1/resources/{rest*}',
          upstream: 'appointments',
          stripPrefix: '/api/v1',
          plugins: { openapi: { responses: true } },
        },
      ],
    },
    { logger: pino({ level: 'info' }, logStream) },
  );
});
afterAll(async () => {
  await gateway?.stop();
  await upstream?.close();
});

async function send(
  method: string,
  path: string,
  options: { json?: unknown; body?: string; headers?: Record<string, string> } = {},
) {
  const before = upstream.seen.length;
  const body = options.json !== undefined ? JSON.stringify(options.json) : options.body;
  const response = await fetch(`${gateway.url}${path}`, {
    method,
    headers: {
      ...(options.json !== undefined && { 'content-type': 'application/json' }),
      ...options.headers,
    },
    body,
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    text,
    json:
      text && /json/.test(response.headers.get('content-type') ?? '')
        ? (JSON.parse(text) as Record<string, unknown>)
        : undefined,
    reachedUpstream: upstream.seen.length - before,
  };
}

describe('request validation at the edge', () => {
  it('refuses an invalid body to POST /api/v1/appointments with 400 problem+json naming the field; the upstream sees nothing', async () => {
    const response = await send('POST', '/api/v1/appointments', {
      json: { serviceType: 'counseling', startsAt: 'next tuesday' },
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(response.json).toMatchObject({
      type: 'https://portico.dev/problems/bad-request',
      status: 400,
      detail: '/body/startsAt: must match format "date-time"',
      errors: [{ path: '/body/startsAt', message: 'must match format "date-time"' }],
    });
    expect(response.json!.instance).toBe(response.headers.get('x-request-id'));
    expect(response.reachedUpstream).toBe(0);
  });

  it('lists every bad field, each with its JSON pointer', async () => {
    const response = await send('POST', '/api/v1/appointments', {
      json: { startsAt: 5, notes: 'x'.repeat(2001) },
      headers: { 'idempotency-key': '' },
    });
    expect(response.status).toBe(400);
    const paths = (response.json!.errors as { path: string }[]).map((error) => error.path).sort();
    expect(paths).toEqual(['/body/notes', '/body/serviceType', '/body/startsAt', '/headers/idempotency-key']);
    expect(response.reachedUpstream).toBe(0);
  });

  it('passes a valid body on, byte for byte', async () => {
    const json = { serviceType: 'counseling', startsAt: '2026-12-10T10:00:00Z', notes: 'First visit.' };
    const response = await send('POST', '/api/v1/appointments', { json });
    expect(response.status).toBe(201);
    expect(response.json).toEqual(appointment);
    expect(response.reachedUpstream).toBe(1);
    expect(upstream.seen.at(-1)).toMatchObject({ method: 'POST', url: '/appointments' });
    expect(bodies.at(-1)).toBe(JSON.stringify(json));
  });

  it('replays the validated body through dedup: a retried Idempotency-Key gets the first answer, the upstream one request', async () => {
    const json = { serviceType: 'dental', startsAt: '2026-12-11T10:00:00Z' };
    const headers = { 'idempotency-key': 'validated-once' };
    const first = await send('POST', '/api/v1/appointments', { json, headers });
    const second = await send('POST', '/api/v1/appointments', { json, headers });
    expect([first.status, second.status]).toEqual([201, 201]);
    expect(first.reachedUpstream + second.reachedUpstream).toBe(1);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(bodies.at(-1)).toBe(JSON.stringify(json));
  });

  it('refuses malformed JSON, a wrong media type and an oversized body before the upstream', async () => {
    const malformed = await send('POST', '/api/v1/appointments', {
      body: '{"serviceType":',
      headers: { 'content-type': 'application/json' },
    });
    expect(malformed.status).toBe(400);
    expect(malformed.json!.errors).toEqual([{ path: '/body', message: 'is not valid JSON' }]);

    const text = await send('POST', '/api/v1/appointments', {
      body: 'serviceType=counseling',
      headers: { 'content-type': 'text/plain' },
    });
    expect(text.status).toBe(415);
    expect(text.headers.get('content-type')).toMatch(/^application\/problem\+json/);

    const large = await send('POST', '/api/v1/appointments', {
      json: { serviceType: 'counseling', startsAt: '2026-12-10T10:00:00Z', notes: 'x'.repeat(5000) },
    });
    expect(large.status).toBe(413);
    expect(malformed.reachedUpstream + text.reachedUpstream + large.reachedUpstream).toBe(0);
  });

  it('checks path and query parameters', async () => {
    const badId = await send('GET', '/api/v1/appointments/not-a-uuid');
    expect(badId.status).toBe(400);
    expect(badId.json!.errors).toEqual([{ path: '/path/id', message: 'must match format "uuid"' }]);

    const badQuery = await send('GET', '/api/v1/appointments?limit=500&colour=red');
    expect(badQuery.status).toBe(400);
    expect(badQuery.json!.errors).toEqual(
      expect.arrayContaining([
        { path: '/query/limit', message: 'must be <= 100' },
        { path: '/query/colour', message: 'is not allowed' },
      ]),
    );
    expect(badId.reachedUpstream + badQuery.reachedUpstream).toBe(0);

    const good = await send('GET', `/api/v1/appointments/${APPOINTMENT_ID}`);
    expect(good.status).toBe(200);
    expect(good.reachedUpstream).toBe(1);
  });

  it('answers operations the contract does not have with 404 and 405 from the edge', async () => {
    const unknown = await send('GET', `/api/v1/appointments/${APPOINTMENT_ID}/audit`);
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toMatch(/^application\/problem\+json/);

    const patch = await send('PATCH', `/api/v1/appointments/${APPOINTMENT_ID}`, { json: { notes: 'x' } });
    expect(patch.status).toBe(405);
    expect(patch.headers.get('allow')).toBe('GET, PUT, DELETE');
    expect(unknown.reachedUpstream + patch.reachedUpstream).toBe(0);
  });

  it('lets a route turn validation off', async () => {
    const response = await send('POST', `/api/v1/appointments/${APPOINTMENT_ID}/unchecked`, {
      json: { anything: 'goes' },
    });
    expect(response.status).toBe(201);
    expect(response.reachedUpstream).toBe(1);
  });
});

describe('response validation (staging)', () => {
  it('reports an answer that does not match in logs and metrics, and passes it to the client unchanged', async () => {
    // /api/v1/resources/{id} on the staging route goes to the test upstream, which answers an appointment.
    const before = logLines.length;
    const response = await send('GET', `/api/v1/resources/${APPOINTMENT_ID}`);
    expect(response.status).toBe(200);
    expect(response.json).toEqual(appointment);
    const metrics = await (await fetch(`${gateway.adminUrl}/metrics`)).text();
    expect(metrics).toMatch(
      /portico_openapi_response_mismatches_total\{api="v1",operation="getResource"\} 1/,
    );
    expect(metrics).toMatch(/portico_openapi_responses_checked_total\{api="v1",operation="getResource"\} 1/);
    const mismatch = logLines
      .slice(before)
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .find((line) => line.event === 'openapi_response_mismatch');
    expect(mismatch).toMatchObject({ api: 'v1', operation: 'getResource', status: 200 });
    expect(mismatch!.requestId).toBe(response.headers.get('x-request-id'));
  });
});

describe('published documents', () => {
  it('serves /openapi.json and /api/v1/openapi.json, the same document, without validating them', async () => {
    const root = await send('GET', '/openapi.json');
    const versioned = await send('GET', '/api/v1/openapi.json');
    expect(root.status).toBe(200);
    expect(versioned.status).toBe(200);
    expect(root.json).toEqual(versioned.json);
    expect(root.json).toMatchObject({ openapi: '3.1.0', servers: [{ url: '/api/v1' }] });
    expect(root.reachedUpstream + versioned.reachedUpstream).toBe(0);
  });

  it('serves the docs page and its assets from the gateway, with a policy that allows no other host', async () => {
    const page = await send('GET', '/docs');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('content-security-policy')).toContain("connect-src 'self'");
    expect(page.text).not.toMatch(/https?:\/\//);
    for (const asset of [
      '/docs/assets/swagger-ui-bundle.js',
      '/docs/assets/swagger-ui.css',
      '/docs/v1/init.js',
    ]) {
      expect((await send('GET', asset)).status).toBe(200);
    }
    expect([400, 404]).toContain((await send('GET', '/docs/assets/..%2fpackage.json')).status);
    expect((await send('GET', '/docs/assets/index.html')).status).toBe(404);
    expect((await send('GET', '/docs/v9')).status).toBe(404);
  });
});
