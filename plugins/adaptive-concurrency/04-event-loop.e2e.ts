// Process-level shedding: the test keeps this process's event loop busy (the gateway runs in it), then
// normal requests get 503 while critical routes and health-check paths still pass; once the loop
// is responsive again, normal requests pass too.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { definePlugin } from '../../contracts/plugin.ts';
import { startTestGateway, startUpstream, type TestGateway, type TestUpstream } from '../../testing/index.ts';

async function lagMs(gateway: TestGateway): Promise<number> {
  const body = (await (
    await fetch(`${gateway.adminUrl}/adaptive-concurrency`, { headers: gateway.adminHeaders })
  ).json()) as {
    eventLoop: { lagMs: number };
  };
  return body.eventLoop.lagMs;
}

async function until(condition: () => Promise<boolean>, what: string, deadlineMs = 20_000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function blockEventLoop(ms: number): void {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    // Busy: nothing else may run on this loop meanwhile, as under a CPU-bound overload.
  }
}

describe('adaptive-concurrency: event-loop lag', () => {
  const MAX_LAG_MS = 150;
  let upstream: TestUpstream;
  let gateway: TestGateway;

  beforeAll(async () => {
    upstream = await startUpstream();
    gateway = await startTestGateway({
      upstreams: { app: { url: upstream.url, health: false } },
      routes: [
        { path: '/api/{rest*}', upstream: 'app' },
        {
          path: '/critical/{rest*}',
          upstream: 'app',
          plugins: { 'adaptive-concurrency': { critical: true } },
        },
        { path: '/svc/{rest*}', upstream: 'app' },
        { path: '/unshed/{rest*}', upstream: 'app', plugins: { 'adaptive-concurrency': false } },
      ],
      plugins: [
        {
          name: 'adaptive-concurrency',
          // A decision holds for one interval: long enough for the requests below to arrive within it.
          options: { eventLoop: { maxLag: MAX_LAG_MS, criticalMaxLag: '30s', interval: '2s' } },
        },
      ],
    });
  });
  afterAll(async () => {
    await gateway?.stop();
    await upstream?.close();
  });

  const status = async (path: string) => {
    const response = await fetch(gateway.url + path);
    await response.clone().arrayBuffer();
    return response;
  };

  it('sheds normal requests while the loop lags, and keeps critical routes, health checks and opted-out routes', async () => {
    await until(async () => (await lagMs(gateway)) < MAX_LAG_MS, 'the loop is calm before the test');
    expect((await status('/api/x')).status).toBe(200);

    // A sustained overload (not a single stall): the loop is busy again as soon as it gets a turn,
    // until the gateway's p99 measurement says so.
    const deadline = Date.now() + 20_000;
    while ((await lagMs(gateway)) <= MAX_LAG_MS) {
      if (Date.now() > deadline) throw new Error('timed out waiting until the lag is measured');
      blockEventLoop(MAX_LAG_MS * 2);
      await new Promise((resolve) => setImmediate(resolve));
    }

    const shed = await status('/api/x');
    expect(shed.status).toBe(503);
    expect(shed.headers.get('retry-after')).toBe('1');
    expect(((await shed.json()) as { detail: string }).detail).toBe('the gateway is overloaded; retry later');
    expect((await status('/critical/x')).status).toBe(200);
    expect((await status('/svc/healthz')).status).toBe(200);
    expect((await status('/unshed/x')).status).toBe(200);
    expect(upstream.seen.map((seen) => seen.url)).toEqual([
      '/api/x',
      '/critical/x',
      '/svc/healthz',
      '/unshed/x',
    ]);

    await until(async () => (await lagMs(gateway)) < MAX_LAG_MS, 'the loop is responsive again');
    expect((await status('/api/x')).status).toBe(200);

    const metrics = await (await fetch(`${gateway.adminUrl}/metrics`)).text();
    expect(metrics).toContain('portico_adaptive_concurrency_shed_total{priority="normal"} 1');
  });
});

describe('adaptive-concurrency: start-up is not an overload', () => {
  let upstream: TestUpstream;
  let gateway: TestGateway;
  // A plugin that keeps the loop busy while the gateway is built, as loading contracts and
  // compiling schemas does: what happens before the gateway serves is not a lag of its traffic.
  const slowToRegister = definePlugin({
    name: 'slow-to-register',
    version: '1.0.0',
    priority: 1,
    phases: [],
    options: z.object({}).strict(),
    async register() {
      for (let i = 0; i < 6; i++) {
        blockEventLoop(200);
        await new Promise((resolve) => setImmediate(resolve));
      }
    },
  });

  beforeAll(async () => {
    upstream = await startUpstream();
    gateway = await startTestGateway(
      {
        upstreams: { app: { url: upstream.url, health: false } },
        routes: [{ path: '/api/{rest*}', upstream: 'app' }],
        plugins: [
          { name: 'adaptive-concurrency', options: { eventLoop: { maxLag: 150, interval: '300ms' } } },
          { name: 'slow-to-register' },
        ],
      },
      { extraPlugins: [slowToRegister] },
    );
  });
  afterAll(async () => {
    await gateway?.stop();
    await upstream?.close();
  });

  it('answers the first requests after a slow build instead of shedding them', async () => {
    const first = await fetch(`${gateway.url}/api/x`);
    expect(first.status).toBe(200);
  });
});
