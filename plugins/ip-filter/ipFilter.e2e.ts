import type { AddressInfo } from 'node:net';
// ip-filter in a real gateway in front of a real upstream: allow and deny, IPv4 and IPv6 (a real
// IPv6 socket, and addresses relayed by trusted proxies), per route and global.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  rawRequest,
  startTestGateway,
  startUpstream,
  type TestGateway,
  type TestUpstream,
} from '../../testing/index.ts';

let upstream: TestUpstream;
let proxied: TestGateway;
let direct: TestGateway;

beforeAll(async () => {
  upstream = await startUpstream();
  // Behind one trusted proxy: the client address is the last X-Forwarded-For hop.
  proxied = await startTestGateway({
    server: { trustedProxies: 1 },
    upstreams: { api: { url: upstream.url, health: false } },
    plugins: [{ name: 'ip-filter', options: { deny: ['198.51.100.0/24', '2001:db8:bad::/48'] } }],
    routes: [
      { name: 'open', path: '/open/{rest*}', upstream: 'api' },
      {
        name: 'campus',
        path: '/campus/{rest*}',
        upstream: 'api',
        plugins: { 'ip-filter': { allow: ['10.0.0.0/8', '2001:db8::/32'] } },
      },
      { name: 'unfiltered', path: '/unfiltered/{rest*}', upstream: 'api', plugins: { 'ip-filter': false } },
    ],
  });
  // Listening on IPv6 and IPv4 (dual stack): the peer address itself is filtered.
  direct = await startTestGateway({
    server: { host: '::' },
    upstreams: { api: { url: upstream.url, health: false } },
    plugins: [{ name: 'ip-filter' }],
    routes: [
      {
        name: 'v6-only',
        path: '/v6/{rest*}',
        upstream: 'api',
        plugins: { 'ip-filter': { allow: ['::1/128'] } },
      },
      {
        name: 'v4-only',
        path: '/v4/{rest*}',
        upstream: 'api',
        plugins: { 'ip-filter': { allow: ['127.0.0.0/8'] } },
      },
    ],
  });
});
afterAll(async () => {
  await Promise.all([proxied?.stop(), direct?.stop()]);
  await upstream?.close();
});

async function through(gateway: TestGateway, path: string, forwardedFor?: string) {
  const before = upstream.seen.length;
  const response = await rawRequest(gateway.url, path, {
    headers: forwardedFor ? { 'x-forwarded-for': forwardedFor } : {},
  });
  return { ...response, forwarded: upstream.seen.length - before };
}

describe('ip-filter through a trusted proxy', () => {
  it('refuses a globally denied client (v4 and v6) with 403 problem+json; nothing reaches the upstream', async () => {
    for (const client of ['198.51.100.23', '2001:db8:bad::7']) {
      const response = await through(proxied, '/open/x', client);
      expect(response.status).toBe(403);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(JSON.parse(response.body)).toMatchObject({
        status: 403,
        detail: 'requests from this address are not allowed',
      });
      expect(response.forwarded).toBe(0);
    }
    expect((await through(proxied, '/open/x', '203.0.113.9')).status).toBe(200);
  });

  it('reads the client from the trusted hop, not from what the client wrote first', async () => {
    // The client wrote 10.1.1.1 itself; the trusted proxy appended its real address.
    expect((await through(proxied, '/campus/x', '10.1.1.1, 198.51.100.5')).status).toBe(403);
    expect((await through(proxied, '/campus/x', '198.51.100.5, 10.1.1.1')).status).toBe(200);
  });

  it("applies a route's allow list (v4, v6, IPv4-mapped v6) on top of the global deny list", async () => {
    expect((await through(proxied, '/campus/x', '10.20.30.40')).status).toBe(200);
    expect((await through(proxied, '/campus/x', '::ffff:10.20.30.40')).status).toBe(200);
    expect((await through(proxied, '/campus/x', '2001:db8:1::1')).status).toBe(200);
    expect((await through(proxied, '/campus/x', '203.0.113.9')).status).toBe(403);
    // Inside the allow list, but the global deny list still holds.
    expect((await through(proxied, '/campus/x', '2001:db8:bad::1')).status).toBe(403);
  });

  it('leaves a route that turns it off alone', async () => {
    expect((await through(proxied, '/unfiltered/x', '198.51.100.23')).status).toBe(200);
  });

  it('counts refusals per route and reason', async () => {
    const text = await (await fetch(`${proxied.adminUrl}/metrics`)).text();
    expect(text).toMatch(/portico_ip_filter_refused_total\{route="open",reason="denied"\} [1-9]/);
    expect(text).toMatch(/portico_ip_filter_refused_total\{route="campus",reason="not-allowed"\} [1-9]/);
  });
});

describe('ip-filter on the peer address (no proxies trusted)', () => {
  const port = () => (direct.gateway.listener.address() as AddressInfo).port;

  it('an IPv6 client passes a v6 allow list and an IPv4 client does not; and the other way round', async () => {
    const v6 = `http://[::1]:${port()}`;
    const v4 = `http://127.0.0.1:${port()}`;
    const status = async (url: string) => (await fetch(url)).status;
    expect(await status(`${v6}/v6/x`)).toBe(200);
    expect(await status(`${v4}/v6/x`)).toBe(403);
    expect(await status(`${v4}/v4/x`)).toBe(200);
    expect(await status(`${v6}/v4/x`)).toBe(403);
  });

  it('ignores X-Forwarded-For when no proxy is trusted', async () => {
    const v4 = `http://127.0.0.1:${port()}`;
    expect((await rawRequest(v4, '/v6/x', { headers: { 'x-forwarded-for': '::1' } })).status).toBe(403);
  });
});
