// The proxy engine against real upstreams on ephemeral ports.
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { rawRequest } from '../../testing/rawRequest.ts';
import { startTestGateway, type TestGateway } from '../../testing/startTestGateway.ts';
import {
  startUnacceptingListener,
  type UnacceptingListener,
} from '../../testing/startUnacceptingListener.ts';
import { echo, startUpstream, type TestUpstream } from '../../testing/startUpstream.ts';

let programs: TestUpstream;
let appointments: TestUpstream;
let slow: TestUpstream;
let uploads: TestUpstream;
let wsServer: http.Server;
let gateway: TestGateway;
let unaccepting: UnacceptingListener;
const received = { bytes: 0, sha256: '' };

beforeAll(async () => {
  programs = await startUpstream();
  appointments = await startUpstream();
  slow = await startUpstream((req, res) => {
    if (req.url?.startsWith('/slow/hang')) return; // never answers: the gateway must time out
    echo(req, res);
  });
  uploads = await startUpstream((req, res) => {
    const hash = createHash('sha256');
    let bytes = 0;
    req.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      hash.update(chunk);
    });
    req.on('end', () => {
      received.bytes = bytes;
      received.sha256 = hash.digest('hex');
      res.end('stored');
    });
  });
  wsServer = http.createServer();
  const wss = new WebSocketServer({ server: wsServer });
  wss.on('connection', (socket, request) => {
    socket.on('message', (data) => socket.send(`echo:${request.url}:${data.toString()}`));
  });
  await new Promise<void>((resolve) => wsServer.listen(0, '127.0.0.1', resolve));
  const closedPort = await new Promise<number>((resolve) => {
    const probe = http.createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });

  unaccepting = await startUnacceptingListener();
  gateway = await startTestGateway({
    upstreams: {
      programs: { url: programs.url, health: false },
      appointments: { url: appointments.url, health: false },
      slow: { url: slow.url, timeout: '300ms', health: false },
      uploads: { url: uploads.url, health: false },
      down: { url: `http://127.0.0.1:${closedPort}`, health: false },
      unaccepting: { url: `http://127.0.0.1:${unaccepting.port}`, connectTimeout: '200ms', health: false },
      chat: { url: `http://127.0.0.1:${(wsServer.address() as AddressInfo).port}`, health: false },
    },
    routes: [
      { path: '/api/v1/programs/{rest*}', upstream: 'programs', stripPrefix: '/api/v1' },
      { path: '/api/v1/appointments/{rest*}', upstream: 'appointments', stripPrefix: '/api/v1' },
      { path: '/slow/{rest*}', upstream: 'slow' },
      { path: '/upload', upstream: 'uploads', methods: ['POST'], maxBodySize: '200mb' },
      { path: '/small-upload', upstream: 'uploads', methods: ['POST'], maxBodySize: '1kb' },
      { path: '/down/{rest*}', upstream: 'down' },
      { path: '/unaccepting/{rest*}', upstream: 'unaccepting' },
      { path: '/chat/{rest*}', upstream: 'chat', websocket: true },
      { path: '/no-ws/{rest*}', upstream: 'chat' },
      { path: '/read-only/{rest*}', upstream: 'slow', methods: ['GET', 'HEAD'] },
    ],
  });
});

afterAll(async () => {
  await gateway?.stop();
  unaccepting?.close();
  await Promise.all([programs, appointments, slow, uploads].map((upstream) => upstream?.close()));
  wsServer?.closeAllConnections();
  wsServer?.close();
});

describe('forwarding', () => {
  it('strips the prefix, keeps the query and answers with the upstream body', async () => {
    const response = await fetch(`${gateway.url}/api/v1/programs/42?lang=en`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { url: string };
    expect(body.url).toBe('/programs/42?lang=en');
  });

  it('sets X-Forwarded-*, passes the request id both ways and drops hop-by-hop and spoofed identity headers', async () => {
    const before = programs.seen.length;
    const response = await rawRequest(gateway.url, '/api/v1/programs/1', {
      headers: {
        connection: 'keep-alive, x-secret-hop',
        'keep-alive': 'timeout=5',
        'x-secret-hop': 'must not pass',
        te: 'trailers',
        'proxy-authorization': 'Basic Zm9vOmJhcg==',
        'x-user-id': 'admin',
        'X-User-Roles': 'admin',
        'x-forwarded-for': '6.6.6.6',
        'x-request-id': 'client-chosen-id-1',
      },
    });
    expect(response.status).toBe(200);
    expect(programs.seen.length).toBe(before + 1);
    const seen = programs.seen.at(-1)!.headers;
    for (const name of [
      'keep-alive',
      'x-secret-hop',
      'te',
      'proxy-authorization',
      'x-user-id',
      'x-user-roles',
    ]) {
      expect(seen[name], name).toBeUndefined();
    }
    expect(seen['x-forwarded-for']).toBe('6.6.6.6, 127.0.0.1');
    expect(seen['x-forwarded-proto']).toBe('http');
    expect(seen['x-forwarded-host']).toBeDefined();
    expect(seen['x-request-id']).toBe('client-chosen-id-1');
    expect(response.headers['x-request-id']).toBe('client-chosen-id-1');
  });

  it('drops hop-by-hop headers of the upstream answer', async () => {
    const upstream = await startUpstream((_req, res) => {
      res.setHeader('connection', 'keep-alive, x-upstream-hop');
      res.setHeader('x-upstream-hop', 'secret');
      res.setHeader('x-end-to-end', 'kept');
      res.end('ok');
    });
    const local = await startTestGateway({
      upstreams: { u: { url: upstream.url, health: false } },
      routes: [{ path: '/{p*}', upstream: 'u' }],
    });
    try {
      const response = await rawRequest(local.url, '/x');
      expect(response.headers['x-upstream-hop']).toBeUndefined();
      expect(response.headers['x-end-to-end']).toBe('kept');
    } finally {
      await local.stop();
      await upstream.close();
    }
  });
});

describe('methods', () => {
  it('builds a GET-only route (hapi refuses payload settings there) and answers HEAD from it', async () => {
    expect((await fetch(`${gateway.url}/read-only/x`)).status).toBe(200);
    expect((await fetch(`${gateway.url}/read-only/x`, { method: 'HEAD' })).status).toBe(200);
    expect((await fetch(`${gateway.url}/read-only/x`, { method: 'POST', body: '{}' })).status).toBe(404);
  });
});

describe('errors are problem+json', () => {
  it('answers an unknown route with 404 problem+json carrying the request id', async () => {
    const response = await fetch(`${gateway.url}/nowhere`);
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      status: 404,
      title: 'Not Found',
      instance: response.headers.get('x-request-id'),
    });
    expect(body.type).toMatch(/^https:\/\//);
  });

  it('answers 502 when the upstream refuses connections', async () => {
    const response = await fetch(`${gateway.url}/down/x`);
    expect(response.status).toBe(502);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    const body = (await response.json()) as { detail: string };
    expect(body.detail).toContain('"down"');
    expect(JSON.stringify(body)).not.toMatch(/at .*\.ts:\d+|ECONNREFUSED 127/);
  });

  it('answers 504 when the upstream does not answer in time', async () => {
    const response = await fetch(`${gateway.url}/slow/hang`);
    expect(response.status).toBe(504);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(((await response.json()) as { detail: string }).detail).toContain('response timeout');
  });

  it('answers 504 when the connection cannot be opened in time', async () => {
    const response = await fetch(`${gateway.url}/unaccepting/x`);
    expect(response.status).toBe(504);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(((await response.json()) as { detail: string }).detail).toContain('connect timeout');
  });

  it('answers 413 problem+json for a declared body over the route limit, without calling the upstream', async () => {
    const before = uploads.seen.length;
    const response = await fetch(`${gateway.url}/small-upload`, { method: 'POST', body: 'x'.repeat(4096) });
    expect(response.status).toBe(413);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(uploads.seen.length).toBe(before);
  });
});

describe('path traversal never leaves the route', () => {
  const attempts = [
    '/api/v1/programs/../appointments/1',
    '/api/v1/programs/%2e%2e/appointments/1',
    '/api/v1/programs/%2E%2E/%2e%2e/v1/appointments/1',
    '/api/v1/programs/..%2fappointments/1',
    '/api/v1/programs/..%2F..%2Fappointments/1',
    '/api/v1/programs/%252e%252e%252fappointments/1',
    '/api/v1/programs/%252e%252e/appointments/1',
    '/api/v1/programs/..%5cappointments/1',
    '/api/v1/programs/..\\appointments/1',
    '/api/v1/programs\\..\\appointments/1',
    '/api/v1/programs/%c0%ae%c0%ae/appointments/1',
    '/api/v1/programs/.%2e/appointments/1',
    '/api/v1/programs/x/..%00/appointments',
  ];

  it.each(attempts)('%s reaches no path outside /programs on the programs upstream', async (path) => {
    const response = await rawRequest(gateway.url, path);
    const lastPrograms = programs.seen.at(-1);
    // A normalized path that lands on another route is that route's request, under that route's policy;
    // what must never happen is the programs upstream seeing a path outside /programs.
    for (const seen of programs.seen) expect(seen.url.startsWith('/programs')).toBe(true);
    if (response.status === 200 && lastPrograms) {
      expect(lastPrograms.url).not.toMatch(/\.\.|%2e|%2f|%5c|\\/i);
    }
    for (const seen of appointments.seen) expect(seen.url.startsWith('/appointments')).toBe(true);
  });
});

describe('streaming', () => {
  it('streams a 100 MB upload with bounded gateway memory', async () => {
    const size = 100 * 1024 * 1024;
    const chunk = Buffer.alloc(64 * 1024, 7);
    const expectedHash = createHash('sha256');
    let sent = 0;
    const body = new Readable({
      read() {
        if (sent >= size) return this.push(null);
        sent += chunk.length;
        expectedHash.update(chunk);
        this.push(chunk);
      },
    });
    const url = new URL(gateway.url);
    let peak = 0;
    const baseline = process.memoryUsage().rss;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
    const status = await new Promise<number>((resolve, reject) => {
      const request = http.request(
        {
          host: url.hostname,
          port: url.port,
          path: '/upload',
          method: 'POST',
          headers: { 'content-type': 'application/octet-stream' },
        },
        (response) => {
          response.resume();
          response.on('end', () => resolve(response.statusCode ?? 0));
        },
      );
      request.on('error', reject);
      body.pipe(request);
    });
    clearInterval(sampler);
    expect(status).toBe(200);
    expect(received.bytes).toBe(size);
    expect(received.sha256).toBe(expectedHash.digest('hex'));
    // Client, gateway and upstream share this process: 100 MB went through it, far less stayed.
    expect(peak - baseline).toBeLessThan(48 * 1024 * 1024);
  });
});

describe('websocket', () => {
  it('proxies an upgrade and echoes messages on a route that allows it', async () => {
    const socket = new WebSocket(`${gateway.url.replace('http', 'ws')}/chat/room-1`);
    const reply = await new Promise<string>((resolve, reject) => {
      socket.on('open', () => socket.send('hello'));
      socket.on('message', (data) => resolve(data.toString()));
      socket.on('error', reject);
    });
    socket.close();
    expect(reply).toBe('echo:/chat/room-1:hello');
  });

  it('refuses an upgrade on a route that does not allow it', async () => {
    const socket = new WebSocket(`${gateway.url.replace('http', 'ws')}/no-ws/room`);
    const outcome = await new Promise<string>((resolve) => {
      socket.on('open', () => resolve('open'));
      socket.on('unexpected-response', (_request, response) => resolve(`status ${response.statusCode}`));
      socket.on('error', (error) => resolve(`error ${error.message}`));
    });
    expect(outcome).toBe('status 404');
  });
});
