// Breakers against real upstreams whose health the test switches, counting what reaches them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  rawRequest,
  freePort,
  startTestGateway,
  startUpstream,
  type TestGateway,
  type TestUpstream,
} from '../../testing/index.ts';

let healthy = false;
let flaky: TestUpstream;
let steady: TestUpstream;
let slowLock: TestUpstream;
let gateway: TestGateway;

async function waitUntil(condition: () => boolean, what: string): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > 20_000) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

beforeAll(async () => {
  flaky = await startUpstream((_req, res) => {
    res.statusCode = healthy ? 200 : 500;
    res.end(healthy ? 'ok' : 'broken');
  });
  steady = await startUpstream();
  slowLock = await startUpstream((req, res) => {
    if (req.url?.includes('hang')) return; // never answers
    res.end('ok');
  });
  const closedPort = await freePort();
  gateway = await startTestGateway({
    upstreams: {
      flaky: { url: flaky.url, health: false },
      steady: { url: steady.url, health: false },
      down: { url: `http://127.0.0.1:${closedPort}`, health: false },
      slow: { url: slowLock.url, health: false },
      fallbacks: { url: `http://127.0.0.1:${closedPort}`, health: false },
    },
    routes: [
      { path: '/flaky/{rest*}', upstream: 'flaky' },
      { path: '/steady/{rest*}', upstream: 'steady' },
      { path: '/down/{rest*}', upstream: 'down' },
      { path: '/slow/{rest*}', upstream: 'slow' },
      { path: '/fallbacks/{rest*}', upstream: 'fallbacks' },
    ],
    plugins: [
      {
        name: 'circuit-breaker',
        options: {
          volumeThreshold: 4,
          errorThresholdPercentage: 50,
          resetTimeout: '300ms',
          upstreams: { down: { resetTimeout: '30s' }, slow: { timeout: '200ms', resetTimeout: '30s' } },
        },
      },
    ],
  });
});

afterAll(async () => {
  await gateway.stop();
  await Promise.all([flaky.close(), steady.close(), slowLock.close()]);
});

const api = () => gateway.gateway.server.plugins['circuit-breaker'];
const metrics = async () => (await fetch(`${gateway.adminUrl}/metrics`)).text();

describe('circuit breaker', () => {
  it('a failing upstream trips its breaker, half-opens, and closes when the upstream recovers', async () => {
    healthy = false;
    // 1. Failures pass through as the upstream sent them, and count.
    for (let i = 0; i < 4; i++) {
      const response = await rawRequest(gateway.url, '/flaky/x');
      expect(response.status).toBe(500);
      expect(response.body).toBe('broken');
    }
    expect(api().state('flaky')).toBe('open');

    // 2. Open: 503 problem+json with Retry-After, and the upstream is not called.
    const before = flaky.seen.length;
    const rejected = await rawRequest(gateway.url, '/flaky/x');
    expect(rejected.status).toBe(503);
    expect(rejected.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(Number(rejected.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(flaky.seen.length).toBe(before);

    // 3. After resetTimeout one probe goes through; the upstream has recovered, so the circuit closes.
    healthy = true;
    await waitUntil(() => api().state('flaky') === 'half-open', 'the circuit half-opened');
    const probe = await rawRequest(gateway.url, '/flaky/x');
    expect(probe.status).toBe(200);
    expect(api().state('flaky')).toBe('closed');
    expect(flaky.seen.length).toBe(before + 1);
    expect((await rawRequest(gateway.url, '/flaky/y')).status).toBe(200);

    const text = await metrics();
    expect(text).toContain('portico_circuit_breaker_state{upstream="flaky"} 0');
    expect(text).toContain('portico_circuit_breaker_transitions_total{upstream="flaky",to="open"} 1');
    expect(text).toContain('portico_circuit_breaker_transitions_total{upstream="flaky",to="half-open"} 1');
    expect(text).toContain('portico_circuit_breaker_transitions_total{upstream="flaky",to="closed"} 1');
    expect(text).toMatch(/portico_circuit_breaker_rejected_total\{upstream="flaky"\} [1-9]/);
  });

  it('a failed half-open probe opens the circuit again', async () => {
    healthy = false;
    while (api().state('flaky') === 'closed') await rawRequest(gateway.url, '/flaky/z');
    await waitUntil(() => api().state('flaky') === 'half-open', 'the circuit half-opened');
    const seen = flaky.seen.length;
    expect((await rawRequest(gateway.url, '/flaky/z')).status).toBe(500);
    expect(api().state('flaky')).toBe('open');
    expect((await rawRequest(gateway.url, '/flaky/z')).status).toBe(503);
    expect(flaky.seen.length).toBe(seen + 1);
    healthy = true;
    await waitUntil(() => api().state('flaky') === 'half-open', 'the circuit half-opened');
    await rawRequest(gateway.url, '/flaky/z');
    expect(api().state('flaky')).toBe('closed');
  });

  it('connect errors count; Retry-After gives the seconds until the probe; other upstreams are unaffected', async () => {
    for (let i = 0; i < 4; i++) expect((await rawRequest(gateway.url, '/down/x')).status).toBe(502);
    const rejected = await rawRequest(gateway.url, '/down/x');
    expect(rejected.status).toBe(503);
    const retryAfter = Number(rejected.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(30);
    expect(api().state('steady')).toBe('closed');
    expect((await rawRequest(gateway.url, '/steady/x')).status).toBe(200);
  });

  it('the breaker timeout answers 504 and counts as a failure', async () => {
    for (let i = 0; i < 4; i++) expect((await rawRequest(gateway.url, '/slow/hang')).status).toBe(504);
    expect(api().state('slow')).toBe('open');
    const seen = slowLock.seen.length;
    expect((await rawRequest(gateway.url, '/slow/fine')).status).toBe(503);
    expect(slowLock.seen.length).toBe(seen);
  });

  it('a registered fallback answers while the circuit is open (a BFF serving stale data)', async () => {
    api().fallback('fallbacks', ({ reason }) => ({ status: 200, body: { stale: true, reason } }));
    const failure = await rawRequest(gateway.url, '/fallbacks/x');
    expect(failure.status).toBe(200);
    expect(JSON.parse(failure.body)).toEqual({ stale: true, reason: 'failure' });
    expect(failure.headers['x-portico-fallback']).toBe('upstream-failure');
    while (api().state('fallbacks') !== 'open') await rawRequest(gateway.url, '/fallbacks/x');
    const open = await rawRequest(gateway.url, '/fallbacks/x');
    expect(JSON.parse(open.body)).toEqual({ stale: true, reason: 'open' });
    expect(open.headers['x-portico-fallback']).toBe('circuit-open');
    expect(await metrics()).toMatch(
      /portico_circuit_breaker_fallbacks_total\{upstream="fallbacks",reason="open"\} [1-9]/,
    );
  });
});
