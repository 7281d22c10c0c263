import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { originMatcher } from './originMatcher.ts';
import { corsOptions } from './schema.ts';
import { startTestGateway, startUpstream, type TestGateway, type TestUpstream } from '../../testing/index.ts';

describe('01 schema', () => {
  it('allows no origin by default', () => {
    expect(corsOptions.parse({}).origins).toEqual([]);
  });
  it('refuses credentials with "*"', () => {
    const result = corsOptions.safeParse({ origins: ['*'], credentials: true });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['credentials']);
  });
  it('matches exact origins and one wildcard label set, nothing else', () => {
    const allows = originMatcher(['https://app.example.edu', 'https://*.preview.example.edu']);
    expect(allows('https://app.example.edu')).toBe(true);
    expect(allows('https://pr-12.preview.example.edu')).toBe(true);
    expect(allows('https://evil.example.com')).toBe(false);
    expect(allows('https://app.example.edu.evil.com')).toBe(false);
    expect(allows('https://x.preview.example.edu.evil.com')).toBe(false);
  });
});

let upstream: TestUpstream;
let gateway: TestGateway;
beforeAll(async () => {
  upstream = await startUpstream();
  gateway = await startTestGateway({
    upstreams: { u: { url: upstream.url, health: false } },
    plugins: [{ name: 'cors', options: { origins: ['https://app.example.edu'], credentials: true } }],
    routes: [
      { path: '/api/{p*}', upstream: 'u' },
      { path: '/private/{p*}', upstream: 'u', plugins: { cors: false } },
    ],
  });
});
afterAll(async () => {
  await gateway?.stop();
  await upstream?.close();
});

describe('04 access', () => {
  it('answers an allowed preflight at the edge without calling the upstream', async () => {
    const before = upstream.seen.length;
    const response = await fetch(`${gateway.url}/api/things`, {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example.edu', 'access-control-request-method': 'POST' },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe('https://app.example.edu');
    expect(response.headers.get('access-control-allow-credentials')).toBe('true');
    expect(response.headers.get('access-control-allow-methods')).toContain('POST');
    expect(response.headers.get('access-control-max-age')).toBe('600');
    expect(upstream.seen.length).toBe(before);
  });

  it('gives a preflight from another origin no allow headers', async () => {
    const response = await fetch(`${gateway.url}/api/things`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example.com', 'access-control-request-method': 'POST' },
    });
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('adds the allow headers to real answers, and Vary: origin', async () => {
    const response = await fetch(`${gateway.url}/api/things`, {
      headers: { origin: 'https://app.example.edu' },
    });
    expect(response.headers.get('access-control-allow-origin')).toBe('https://app.example.edu');
    expect(response.headers.get('access-control-expose-headers')).toContain('x-request-id');
    expect(response.headers.get('vary')).toContain('origin');
  });

  it('adds nothing on a route that turns it off', async () => {
    const response = await fetch(`${gateway.url}/private/x`, {
      headers: { origin: 'https://app.example.edu' },
    });
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });
});
