import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../../testing/startTestGateway.ts';
import { startUpstream, type TestUpstream } from '../../testing/startUpstream.ts';
import { freePort } from '../../testing/startRedisServer.ts';

let upstream: TestUpstream;
let gateway: TestGateway;
let laterPort: number;
let later: TestUpstream | undefined;

beforeAll(async () => {
  upstream = await startUpstream((req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(req.url === '/healthz' ? '{"status":"ok"}' : '{}');
  });
  laterPort = await freePort();
  gateway = await startTestGateway({
    upstreams: {
      up: { url: upstream.url, health: { interval: '50ms' } },
      later: { url: `http://127.0.0.1:${laterPort}`, health: { interval: '50ms' } },
    },
    plugins: [{ name: 'access-log' }, { name: 'cors', options: { origins: ['https://app.example.edu'] } }],
    routes: [{ name: 'things', path: '/things/{p*}', upstream: 'up' }],
  });
});

afterAll(async () => {
  await gateway?.stop();
  await upstream?.close();
  await later?.close();
});

async function waitFor(check: () => Promise<boolean>, deadlineMs = 10_000): Promise<void> {
  const until = Date.now() + deadlineMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('condition not reached');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('admin listener', () => {
  it('/healthz answers 200 while the process is alive', async () => {
    const response = await fetch(`${gateway.adminUrl}/healthz`);
    expect(response.status).toBe(200);
  });

  it('/readyz is 503 until every upstream has answered, then 200', async () => {
    const before = await fetch(`${gateway.adminUrl}/readyz`);
    expect(before.status).toBe(503);
    const report = (await before.json()) as { upstreams: Record<string, { answeredOnce: boolean }> };
    expect(report.upstreams.later!.answeredOnce).toBe(false);

    later = await startUpstreamOn(laterPort);
    await waitFor(async () => (await fetch(`${gateway.adminUrl}/readyz`)).status === 200);
  });

  it('/metrics exports requests by route, method, status class and upstream, and latency histograms', async () => {
    await fetch(`${gateway.url}/things/1`);
    await fetch(`${gateway.url}/nowhere`);
    const text = await (await fetch(`${gateway.adminUrl}/metrics`)).text();
    expect(text).toContain(
      'portico_http_requests_total{route="things",method="GET",status_class="2xx",upstream="up"} 1',
    );
    expect(text).toContain(
      'portico_http_requests_total{route="unmatched",method="GET",status_class="4xx",upstream="none"} 1',
    );
    expect(text).toMatch(
      /portico_http_request_duration_seconds_bucket\{le="0.005",route="things",method="GET",upstream="up"\}/,
    );
    expect(text).toContain('# TYPE portico_upstream_errors_total counter');
  });

  it('/config shows the effective config with defaults and the plugin order, secrets redacted', async () => {
    const local = await startTestGateway({
      redis: { url: 'redis://portico:s3cret@127.0.0.1:1' },
      upstreams: { up: { url: upstream.url, health: false } },
    });
    try {
      const body = (await (await fetch(`${local.adminUrl}/config`)).json()) as {
        config: { redis: { url: string }; upstreams: { up: { timeout: number } } };
      };
      expect(body.config.redis.url).toBe('redis://portico:[redacted]@127.0.0.1:1');
      expect(body.config.upstreams.up.timeout).toBe(30_000);
      expect(JSON.stringify(body)).not.toContain('s3cret');
    } finally {
      await local.stop();
    }
  });
});

async function startUpstreamOn(port: number): Promise<TestUpstream> {
  const { createServer } = await import('node:http');
  const server = createServer((_req, res) => res.end('{"status":"ok"}'));
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    seen: [],
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
