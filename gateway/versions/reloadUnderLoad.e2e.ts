// Hot reloads through the admin API while clients keep sending: no request fails or is dropped,
// and every answer comes whole from one version's chain (its route, its per-route plugin options,
// its plugin options and its limits), never a mix. State that must outlive a reload does.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../../testing/startTestGateway.ts';
import { startUpstream, type TestUpstream } from '../../testing/startUpstream.ts';
import { until } from '../../testing/until.ts';
import type { PorticoConfigInput } from '../config/schema.ts';
import { fastPathConfig, markersOf, versionedConfig } from './testing/versionedConfig.ts';

let upstream: TestUpstream;

beforeAll(async () => {
  upstream = await startUpstream();
});
afterAll(async () => {
  await upstream?.close();
});

const pushTo = (gateway: TestGateway, config: unknown, message: string) =>
  fetch(`${gateway.adminUrl}/config/versions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...gateway.adminHeaders },
    body: JSON.stringify({ config, message }),
  });

describe.each([
  {
    chain: "hapi's lifecycle (rate-limit, transform, security-headers)",
    config: versionedConfig,
    fast: false,
    markers: (all: string[]) => all,
  },
  {
    chain: 'the fast path (no request-phase plugin: proxied without hapi)',
    config: fastPathConfig,
    fast: true,
    // Only the plugin option and the route stamp it.
    markers: (all: string[]) => [all[0]!, all[2]!],
  },
])('20 reloads under continuous load, through $chain', ({ config, fast, markers: pick }) => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startTestGateway(config(upstream.url, 1));
    expect(gateway.gateway.build.requestPhasePlugins.length === 0).toBe(fast);
  });
  afterAll(async () => {
    await gateway?.stop();
  });

  it('zero failed requests, and each answer made by exactly one version', async () => {
    const answers: string[][] = [];
    const failures: string[] = [];
    let running = true;
    // Eight clients on keep-alive connections (reused across the swaps), each sending as soon as its last answer is in.
    const clients = Array.from({ length: 8 }, async () => {
      while (running) {
        try {
          const response = await fetch(`${gateway.url}/main/load`);
          const body = (await response.json()) as { url: string };
          if (response.status !== 200) failures.push(`status ${response.status}`);
          answers.push(pick(markersOf(response, body)));
        } catch (error) {
          failures.push(String(error));
        }
      }
    });

    for (let version = 2; version <= 21; version++) {
      // Each reload lands while requests are in flight: some answers before it, some after.
      const before = answers.length;
      await until('answers before the reload', async () => answers.length >= before + 10);
      const response = await pushTo(gateway, config(upstream.url, version), `version ${version}`);
      expect(response.status, await response.clone().text()).toBe(201);
    }
    const settled = answers.length;
    await until('answers after the last reload', async () => answers.length >= settled + 20);
    running = false;
    await Promise.all(clients);

    expect(failures).toEqual([]);
    const mixed = answers.filter((markers) => new Set(markers).size !== 1);
    expect(mixed).toEqual([]);
    const versions = new Set(answers.map((markers) => markers[0]));
    // Under load the whole time: answers of many versions, the last one among them.
    expect(versions.size).toBeGreaterThan(10);
    expect(new Set(answers.at(-1))).toEqual(new Set(['v21']));
    expect((await fetch(`${gateway.url}/added/v21`)).status).toBe(200);
    expect((await fetch(`${gateway.url}/added/v20`)).status).toBe(404);
  });

  it('retired builds let go of the shared upstream proxy (no listener piles up per reload)', async () => {
    const proxy = gateway.gateway.build.upstreams.get('up')!.proxy;
    await until('retired builds stopped', async () => proxy.listenerCount('proxyRes') === 1);
    expect(proxy.listenerCount('proxyReq')).toBe(1);
  });
});

describe('state that must survive a reload', () => {
  const limited = (referrerPolicy: string): PorticoConfigInput => ({
    upstreams: { up: { url: upstream.url, health: false } },
    plugins: [
      { name: 'security-headers', options: { referrerPolicy } },
      { name: 'rate-limit', options: { policies: [{ name: 'ip', by: 'ip', points: 5, per: '1m' }] } },
    ],
    routes: [{ path: '/limited/{p*}', upstream: 'up' }],
  });

  it('a rate-limit counter: requests counted before the reload still count after it', async () => {
    const gateway = await startTestGateway(limited('v1'));
    try {
      for (let index = 0; index < 3; index++)
        expect((await fetch(`${gateway.url}/limited/x`)).status).toBe(200);
      expect((await pushTo(gateway, limited('v2'), 'another referrer policy')).status).toBe(201);
      const fourth = await fetch(`${gateway.url}/limited/x`);
      expect([fourth.status, fourth.headers.get('referrer-policy')]).toEqual([200, 'v2']);
      expect(fourth.headers.get('ratelimit')).toMatch(/r=1\b/);
      expect((await fetch(`${gateway.url}/limited/x`)).status).toBe(200);
      expect((await fetch(`${gateway.url}/limited/x`)).status).toBe(429);
    } finally {
      await gateway.stop();
    }
  });

  it('an open breaker: the new chain refuses at once without calling the failing upstream', async () => {
    const failing = await startUpstream((_req, res) => {
      res.statusCode = 500;
      res.end('broken');
    });
    const breaking = (route: string): PorticoConfigInput => ({
      upstreams: { failing: { url: failing.url, health: false } },
      plugins: [
        {
          name: 'circuit-breaker',
          options: { volumeThreshold: 4, errorThresholdPercentage: 50, resetTimeout: '1h' },
        },
      ],
      routes: [{ path: `/${route}/{p*}`, upstream: 'failing' }],
    });
    const gateway = await startTestGateway(breaking('before'));
    try {
      for (let index = 0; index < 4; index++) await (await fetch(`${gateway.url}/before/x`)).text();
      const open = await fetch(`${gateway.url}/before/x`);
      expect(open.status).toBe(503);
      const calls = failing.seen.length;

      expect((await pushTo(gateway, breaking('after'), 'a route renamed')).status).toBe(201);
      expect((await fetch(`${gateway.url}/before/x`)).status).toBe(404);
      const after = await fetch(`${gateway.url}/after/x`);
      expect(after.status).toBe(503);
      expect(((await after.json()) as { detail: string }).detail).toContain('circuit');
      expect(failing.seen.length).toBe(calls);
    } finally {
      await gateway.stop();
      await failing.close();
    }
  });
});
