import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHeaders } from './buildHeaders.ts';
import { securityHeadersOptions } from './schema.ts';
import { startTestGateway, startUpstream, type TestGateway, type TestUpstream } from '../../testing/index.ts';

describe('01 schema', () => {
  it('defaults to the hardened set', () => {
    const headers = buildHeaders(securityHeadersOptions.parse({}));
    expect(Object.fromEntries(headers.set)).toEqual({
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'referrer-policy': 'no-referrer',
      'strict-transport-security': 'max-age=31536000; includeSubDomains',
      'cross-origin-resource-policy': 'same-site',
    });
    expect(headers.remove).toEqual(['x-powered-by', 'server']);
  });
});

let upstream: TestUpstream;
let gateway: TestGateway;
beforeAll(async () => {
  upstream = await startUpstream((req, res) => {
    res.setHeader('x-powered-by', 'Express');
    res.setHeader('server', 'nginx/1.25');
    if (req.url === '/page') res.setHeader('content-security-policy', "default-src 'self'");
    res.end('{}');
  });
  gateway = await startTestGateway({
    upstreams: { u: { url: upstream.url, health: false } },
    plugins: [{ name: 'security-headers' }],
    routes: [
      { path: '/{p*}', upstream: 'u' },
      { path: '/embed/{p*}', upstream: 'u', plugins: { 'security-headers': { frameOptions: 'SAMEORIGIN' } } },
      { path: '/raw/{p*}', upstream: 'u', plugins: { 'security-headers': false } },
    ],
  });
});
afterAll(async () => {
  await gateway?.stop();
  await upstream?.close();
});

describe('04 access', () => {
  it('hardens upstream answers and hides the stack', async () => {
    const response = await fetch(`${gateway.url}/x`);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('content-security-policy')).toBe(
      "default-src 'none'; frame-ancestors 'none'",
    );
    expect(response.headers.get('x-powered-by')).toBeNull();
    expect(response.headers.get('server')).toBeNull();
  });

  it("keeps the upstream's own Content-Security-Policy", async () => {
    const response = await fetch(`${gateway.url}/page`);
    expect(response.headers.get('content-security-policy')).toBe("default-src 'self'");
  });

  it("hardens the edge's own errors too", async () => {
    const response = await fetch(`${gateway.url}/x/%2e%2e%2fetc`);
    expect(response.status).toBe(400);
    expect(response.headers.get('x-frame-options')).toBe('DENY');
  });

  it('applies per-route options and can be turned off per route', async () => {
    expect((await fetch(`${gateway.url}/embed/x`)).headers.get('x-frame-options')).toBe('SAMEORIGIN');
    const raw = await fetch(`${gateway.url}/raw/x`);
    expect(raw.headers.get('x-frame-options')).toBeNull();
    expect(raw.headers.get('x-powered-by')).toBe('Express');
  });
});
