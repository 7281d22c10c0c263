// Regressions from a new user's run: a client's oversized chunked bodies must never open a breaker
// for everyone, and a breaker held open by a dead upstream closes soon after the health check
// sees the upstream again (not a whole resetTimeout later).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { rawRequest, startTestGateway, until, type TestGateway } from '../../testing/index.ts';

let gateway: TestGateway | undefined;
const servers: http.Server[] = [];
afterEach(async () => {
  await gateway?.stop();
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

async function listen(handler: http.RequestListener, port = 0): Promise<{ url: string; seen: string[] }> {
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    handler(req, res);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

/** A chunked POST (no Content-Length) of `size` bytes. */
function chunkedPost(base: string, path: string, size: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const url = new URL(path, base);
    const request = http.request(url, { method: 'POST', headers: { 'content-type': 'application/json' } });
    request.on('response', (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    // The edge may answer 413 and close before the whole body is written: that is the point.
    request.on('error', (error) =>
      (error as NodeJS.ErrnoException).code === 'EPIPE' ? undefined : reject(error),
    );
    const chunk = Buffer.alloc(64 * 1024, 'x');
    for (let sent = 0; sent < size; sent += chunk.length) request.write(chunk);
    request.end();
  });
}

describe('failures are charged to whoever caused them', () => {
  it('50 oversized chunked bodies → 50 × 413 from the edge; the breaker stays closed; others get 200', async () => {
    const login = await listen((req, res) => {
      req.resume();
      req.on('end', () => res.end('{"ok":true}'));
    });
    gateway = await startTestGateway({
      upstreams: { identity: { url: login.url, health: false } },
      routes: [{ name: 'auth', path: '/auth/{p*}', upstream: 'identity', maxBodySize: '64kb' }],
      plugins: [{ name: 'circuit-breaker', options: { volumeThreshold: 5, errorThresholdPercentage: 10 } }],
    });
    const statuses: number[] = [];
    for (let i = 0; i < 50; i++) statuses.push(await chunkedPost(gateway.url, '/auth/login', 1024 * 1024));
    expect(statuses).toEqual(Array(50).fill(413));
    expect(login.seen).toHaveLength(0);
    expect(gateway.gateway.server.plugins['circuit-breaker'].state('identity')).toBe('closed');
    const other = await rawRequest(gateway.url, '/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"email":"a@b.c"}',
    });
    expect(other.status).toBe(200);
  });

  it('the same with a streamed route: the body is cut at the limit, and the upstream is not blamed', async () => {
    const sink = await listen((req, res) => {
      req.resume();
      req.on('end', () => res.end('stored'));
    });
    gateway = await startTestGateway({
      upstreams: { files: { url: sink.url, health: false } },
      routes: [
        { name: 'upload', path: '/upload/{p*}', upstream: 'files', maxBodySize: '2mb', body: 'stream' },
      ],
      plugins: [{ name: 'circuit-breaker', options: { volumeThreshold: 5, errorThresholdPercentage: 10 } }],
    });
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) statuses.push(await chunkedPost(gateway.url, '/upload/x', 3 * 1024 * 1024));
    expect(statuses).toEqual(Array(10).fill(413));
    expect(gateway.gateway.server.plugins['circuit-breaker'].state('files')).toBe('closed');
    expect((await rawRequest(gateway.url, '/upload/y', { method: 'POST', body: 'small' })).status).toBe(200);
  });
});

describe('health checks drive recovery', () => {
  it('a killed upstream that comes back is served again once its health check sees it, long before resetTimeout', async () => {
    const first = await listen((_req, res) => res.end('ok'));
    const port = Number(new URL(first.url).port);
    gateway = await startTestGateway({
      upstreams: {
        svc: { url: first.url, health: { path: '/healthz', interval: '5s', unhealthyInterval: '100ms' } },
      },
      routes: [{ name: 'svc', path: '/svc/{p*}', upstream: 'svc' }],
      plugins: [
        {
          name: 'circuit-breaker',
          options: { volumeThreshold: 3, errorThresholdPercentage: 50, resetTimeout: '10m' },
        },
      ],
    });
    expect((await rawRequest(gateway.url, '/svc/a')).status).toBe(200);
    // Kill it: the breaker opens on the failures.
    const server = servers.pop()!;
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    const api = gateway.gateway.server.plugins['circuit-breaker'];
    await until('the circuit opened', async () => {
      await rawRequest(gateway!.url, '/svc/b');
      return api.state('svc') === 'open';
    });
    // Bring it back on the same port: with a 10-minute resetTimeout, only the health check can reopen the way.
    await listen((_req, res) => res.end('back'), port);
    await until('served again', async () => (await rawRequest(gateway!.url, '/svc/c')).status === 200);
    expect(api.state('svc')).toBe('closed');
  });
});
