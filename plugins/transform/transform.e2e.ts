// transform in a real gateway in front of a real upstream: header and body rules both ways, the
// /api/v2 example (v1's programs list with `link` called `url`), and routes without rules untouched.
import type http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  rawRequest,
  startTestGateway,
  startUpstream,
  type TestGateway,
  type TestUpstream,
} from '../../testing/index.ts';

const PROGRAMS = {
  items: [
    { id: 'p1', title: 'Flu clinic', link: 'https://example.edu/flu', internal: 'x' },
    { id: 'p2', title: 'Yoga', link: null, internal: 'y' },
  ],
  nextCursor: null,
};
const PROGRAMS_TEXT = JSON.stringify(PROGRAMS);
const BIG = JSON.stringify({ items: Array.from({ length: 2000 }, (_, i) => ({ id: i, link: `l${i}` })) });

let upstream: TestUpstream;
let gateway: TestGateway;
const received: Array<{ url: string; body: string }> = [];

function answer(req: http.IncomingMessage, res: http.ServerResponse, body: string) {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    received.push({ url: req.url ?? '', body: Buffer.concat(chunks).toString() });
    res.setHeader('content-type', 'application/json');
    res.setHeader('etag', '"v1-etag"');
    res.setHeader('x-internal-trace', 'abc');
    res.setHeader('x-old-name', 'kept');
    res.setHeader('content-length', Buffer.byteLength(body));
    res.end(body);
  });
}

beforeAll(async () => {
  upstream = await startUpstream((req, res) => {
    if (req.url?.startsWith('/programs/big')) return answer(req, res, BIG);
    if (req.url?.startsWith('/programs/p1')) return answer(req, res, JSON.stringify(PROGRAMS.items[0]));
    if (req.url?.startsWith('/programs')) return answer(req, res, PROGRAMS_TEXT);
    // Echo: what the upstream received, headers and body.
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ headers: req.headers, body: Buffer.concat(chunks).toString() }));
    });
  });
  gateway = await startTestGateway({
    upstreams: { programs: { url: upstream.url, health: false } },
    plugins: [{ name: 'transform', options: { maxBodySize: '16kb' } }],
    routes: [
      { name: 'programs-v1', path: '/api/v1/programs/{rest*}', upstream: 'programs', stripPrefix: '/api/v1' },
      {
        name: 'programs-v2',
        path: '/api/v2/programs/{rest*}',
        upstream: 'programs',
        stripPrefix: '/api/v2',
        plugins: {
          transform: {
            response: {
              headers: {
                remove: ['x-internal-trace'],
                rename: { 'x-old-name': 'x-new-name' },
                add: { 'x-api-version': '2' },
              },
              body: { rename: { 'items.link': 'url', link: 'url' }, remove: ['/items/internal', 'internal'] },
            },
          },
        },
      },
      {
        name: 'echo-in',
        path: '/in/{rest*}',
        upstream: 'programs',
        plugins: {
          transform: {
            request: {
              headers: {
                remove: ['x-debug'],
                rename: { 'x-client-version': 'x-api-version' },
                add: { 'x-gateway': 'portico' },
              },
              body: {
                rename: { 'appointment.start': 'startsAt' },
                remove: ['appointment.notes', 'tags.secret'],
              },
            },
          },
        },
      },
      { name: 'echo-plain', path: '/plain/{rest*}', upstream: 'programs' },
    ],
  });
});
afterAll(async () => {
  await gateway?.stop();
  await upstream?.close();
});

describe('transform: responses', () => {
  it('/api/v2 renames link to url in every list item and in one program, and drops the internal field', async () => {
    const list = await rawRequest(gateway.url, '/api/v2/programs?limit=2');
    expect(list.status).toBe(200);
    expect(JSON.parse(list.body)).toEqual({
      items: [
        { id: 'p1', title: 'Flu clinic', url: 'https://example.edu/flu' },
        { id: 'p2', title: 'Yoga', url: null },
      ],
      nextCursor: null,
    });
    expect(Number(list.headers['content-length'])).toBe(Buffer.byteLength(list.body));
    expect(received.at(-1)!.url).toBe('/programs?limit=2');
    const one = await rawRequest(gateway.url, '/api/v2/programs/p1');
    expect(JSON.parse(one.body)).toEqual({ id: 'p1', title: 'Flu clinic', url: 'https://example.edu/flu' });
  });

  it('rewrites response headers: removed, renamed, added; the strong ETag of the other body becomes weak', async () => {
    const { headers } = await rawRequest(gateway.url, '/api/v2/programs');
    expect(headers['x-internal-trace']).toBeUndefined();
    expect(headers['x-old-name']).toBeUndefined();
    expect(headers['x-new-name']).toBe('kept');
    expect(headers['x-api-version']).toBe('2');
    expect(headers.etag).toBe('W/"v1-etag"');
  });

  it('leaves /api/v1 (no rules) byte for byte as the upstream sent it', async () => {
    const { status, headers, body } = await rawRequest(gateway.url, '/api/v1/programs');
    expect(status).toBe(200);
    expect(body).toBe(PROGRAMS_TEXT);
    expect(headers['x-internal-trace']).toBe('abc');
    expect(headers['x-old-name']).toBe('kept');
    expect(headers.etag).toBe('"v1-etag"');
    expect(headers['content-length']).toBe(String(Buffer.byteLength(PROGRAMS_TEXT)));
  });

  it('passes an answer larger than maxBodySize untouched and whole', async () => {
    const { status, body, headers } = await rawRequest(gateway.url, '/api/v2/programs/big');
    expect(status).toBe(200);
    expect(body).toBe(BIG);
    expect(headers['content-length']).toBe(String(Buffer.byteLength(BIG)));
    // The header rules still hold; only the body is left as it is.
    expect(headers['x-api-version']).toBe('2');
  });

  it('asks the upstream for an uncompressed answer on a route with body rules only', async () => {
    await rawRequest(gateway.url, '/api/v2/programs', { headers: { 'accept-encoding': 'gzip' } });
    expect(upstream.seen.at(-1)!.headers['accept-encoding']).toBeUndefined();
    await rawRequest(gateway.url, '/api/v1/programs', { headers: { 'accept-encoding': 'gzip' } });
    expect(upstream.seen.at(-1)!.headers['accept-encoding']).toBe('gzip');
  });
});

describe('transform: requests', () => {
  const send = (path: string, body: string, headers: Record<string, string> = {}) =>
    rawRequest(gateway.url, path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });

  it('rewrites request headers and the JSON body before the upstream sees them, with a true content-length', async () => {
    const response = await send(
      '/in/appointments',
      JSON.stringify({
        appointment: { start: '2030-01-01T10:00:00Z', notes: 'private', room: 'A' },
        tags: [{ secret: 1, name: 'a' }],
      }),
      { 'x-debug': '1', 'x-client-version': '7' },
    );
    expect(response.status).toBe(200);
    const seen = JSON.parse(response.body) as { headers: Record<string, string>; body: string };
    expect(JSON.parse(seen.body)).toEqual({
      appointment: { startsAt: '2030-01-01T10:00:00Z', room: 'A' },
      tags: [{ name: 'a' }],
    });
    expect(seen.headers['content-length']).toBe(String(Buffer.byteLength(seen.body)));
    expect(seen.headers['x-debug']).toBeUndefined();
    expect(seen.headers['x-client-version']).toBeUndefined();
    expect(seen.headers['x-api-version']).toBe('7');
    expect(seen.headers['x-gateway']).toBe('portico');
  });

  it('sends a chunked body (no content-length) rewritten too', async () => {
    const response = await rawRequest(gateway.url, '/in/x', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
      body: JSON.stringify({ appointment: { start: 's', notes: 'n' } }),
    });
    const seen = JSON.parse(response.body) as { body: string };
    expect(JSON.parse(seen.body)).toEqual({ appointment: { startsAt: 's' } });
  });

  it('refuses JSON that does not parse (400) and a body past maxBodySize (413); the upstream saw neither', async () => {
    const before = upstream.seen.length;
    const bad = await send('/in/x', '{ not json');
    expect(bad.status).toBe(400);
    expect(bad.headers['content-type']).toMatch(/^application\/problem\+json/);
    const big = await send('/in/x', JSON.stringify({ pad: 'x'.repeat(20_000) }));
    expect(big.status).toBe(413);
    expect(upstream.seen.length).toBe(before);
  });

  it('passes a body that is not JSON as it is, and leaves a route without rules untouched', async () => {
    const text = await send('/in/x', 'plain text body', { 'content-type': 'text/plain' });
    expect((JSON.parse(text.body) as { body: string }).body).toBe('plain text body');
    const original = JSON.stringify({ appointment: { start: 's', notes: 'n' } });
    const plain = await send('/plain/x', original, { 'x-debug': '1' });
    const seen = JSON.parse(plain.body) as { headers: Record<string, string>; body: string };
    expect(seen.body).toBe(original);
    expect(seen.headers['x-debug']).toBe('1');
    expect(seen.headers['x-gateway']).toBeUndefined();
  });

  it('counts the bodies it rewrote per route and direction', async () => {
    const text = await (await fetch(`${gateway.adminUrl}/metrics`)).text();
    expect(text).toMatch(
      /portico_transform_bodies_total\{route="programs-v2",direction="response",result="rewritten"\} [1-9]/,
    );
    expect(text).toMatch(
      /portico_transform_bodies_total\{route="programs-v2",direction="response",result="too_large"\} 1/,
    );
    expect(text).toMatch(
      /portico_transform_bodies_total\{route="echo-in",direction="request",result="rewritten"\} [1-9]/,
    );
  });
});
