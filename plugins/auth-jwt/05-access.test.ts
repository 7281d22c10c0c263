// The strategy inside a whole gateway, against a real upstream that counts what reaches it:
// route modes, per-route roles and scopes, identity headers, and the verified-token cache.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestIssuer, type TestIssuer } from './testing/testIssuer.ts';
import {
  startTestGateway,
  startUpstream,
  type PorticoConfigInput,
  type TestGateway,
  type TestUpstream,
} from '../../testing/index.ts';

let issuer: TestIssuer;
let upstream: TestUpstream;
let gateway: TestGateway;

const routes: PorticoConfigInput['routes'] = [
  { path: '/open/{rest*}', upstream: 'api', auth: 'none' },
  { path: '/maybe/{rest*}', upstream: 'api', auth: 'optional' },
  { path: '/mine/{rest*}', upstream: 'api', auth: 'required' },
  {
    path: '/staff/{rest*}',
    upstream: 'api',
    auth: 'required',
    plugins: { 'auth-jwt': { roles: ['staff', 'admin'] } },
  },
  {
    path: '/write/{rest*}',
    upstream: 'api',
    auth: 'required',
    plugins: { 'auth-jwt': { scopes: ['appointments:write', 'audit'] } },
  },
  { path: '/jwt-off/{rest*}', upstream: 'api', auth: 'required', plugins: { 'auth-jwt': false } },
  {
    path: '/partner/{rest*}',
    upstream: 'api',
    auth: 'required',
    plugins: { 'auth-jwt': { issuers: ['https://partner-idp.example'] } },
  },
];

async function get(path: string, headers: Record<string, string> = {}) {
  const before = upstream.seen.length;
  const response = await fetch(`${gateway.url}${path}`, { headers });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
    forwarded: upstream.seen.length - before,
  };
}
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

async function metric(adminUrl: string, line: string): Promise<number> {
  const text = await (await fetch(`${adminUrl}/metrics`)).text();
  const found = text.split('\n').find((entry) => entry.startsWith(line));
  return found ? Number(found.split(' ').pop()) : 0;
}

beforeAll(async () => {
  [issuer, upstream] = await Promise.all([startTestIssuer(), startUpstream()]);
  gateway = await startTestGateway({
    upstreams: { api: { url: upstream.url, health: false } },
    plugins: [
      { name: 'auth-jwt', options: { issuers: [{ issuer: issuer.issuer, audiences: ['portico'] }] } },
    ],
    routes,
  });
});
afterAll(async () => {
  await gateway?.stop();
  await Promise.all([issuer?.stop(), upstream?.close()]);
});

describe('auth-jwt route modes', () => {
  it('required: no token is 401 problem+json with a bare Bearer challenge, nothing forwarded', async () => {
    const response = await get('/mine/x');
    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
    expect(response.forwarded).toBe(0);
  });

  it('required: a valid token passes, with the identity headers and the original bearer token upstream', async () => {
    const token = await issuer.sign({ sub: 'student-7', roles: ['student'], scope: 'appointments:read' });
    const response = await get('/mine/x', {
      ...bearer(token),
      'x-user-id': 'admin',
      'x-user-roles': 'admin',
    });
    expect(response.status).toBe(200);
    expect(response.forwarded).toBe(1);
    const seen = upstream.seen.at(-1)!.headers;
    expect(seen['x-user-id']).toBe('student-7');
    expect(seen['x-user-roles']).toBe('student');
    expect(seen['x-user-scopes']).toBe('appointments:read');
    expect(seen['x-user-issuer']).toBe(issuer.issuer);
    expect(seen.authorization).toBe(`Bearer ${token}`);
  });

  it('optional: no token passes anonymously, and client-sent identity headers never reach the upstream', async () => {
    const response = await get('/maybe/x', { 'x-user-id': 'admin', 'x-user-roles': 'admin' });
    expect(response.status).toBe(200);
    const seen = upstream.seen.at(-1)!.headers;
    expect(seen['x-user-id']).toBeUndefined();
    expect(seen['x-user-roles']).toBeUndefined();
  });

  it('optional: a bad token is still 401 (a presented credential is checked), a good one identifies', async () => {
    const bad = await get('/maybe/x', bearer('not.a.token'));
    expect(bad.status).toBe(401);
    expect(bad.forwarded).toBe(0);
    const good = await get('/maybe/x', bearer(await issuer.sign({ sub: 'u-9' })));
    expect(good.status).toBe(200);
    expect(upstream.seen.at(-1)!.headers['x-user-id']).toBe('u-9');
  });

  it('none: the token is not checked and the route stays open', async () => {
    const response = await get('/open/x', bearer('whatever'));
    expect(response.status).toBe(200);
    expect(upstream.seen.at(-1)!.headers['x-user-id']).toBeUndefined();
  });

  it('a route that turns auth-jwt off accepts no bearer token (no other strategy is configured)', async () => {
    const response = await get('/jwt-off/x', bearer(await issuer.sign()));
    expect(response.status).toBe(401);
    expect(response.forwarded).toBe(0);
  });

  it("a route limited to other issuers refuses this issuer's token with 401", async () => {
    const response = await get('/partner/x', bearer(await issuer.sign()));
    expect(response.status).toBe(401);
    expect(response.body.detail).toBe('token issuer not accepted on this route');
    expect(response.forwarded).toBe(0);
  });
});

describe('auth-jwt route requirements', () => {
  it('a student gets 403 problem+json naming the missing role on a staff-only route; nothing forwarded', async () => {
    const response = await get('/staff/x', bearer(await issuer.sign({ roles: ['student'] })));
    expect(response.status).toBe(403);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(response.body.detail).toBe('requires one of the roles: staff, admin');
    expect(response.headers.get('www-authenticate')).toBe('Bearer error="insufficient_scope"');
    expect(response.forwarded).toBe(0);
  });

  it('any one of the listed roles is enough', async () => {
    expect((await get('/staff/x', bearer(await issuer.sign({ roles: ['staff'] })))).status).toBe(200);
    expect((await get('/staff/x', bearer(await issuer.sign({ roles: ['student', 'admin'] })))).status).toBe(
      200,
    );
  });

  it('every listed scope is required; the 403 names those missing', async () => {
    const partial = await get('/write/x', bearer(await issuer.sign({ scope: 'appointments:write' })));
    expect(partial.status).toBe(403);
    expect(partial.body.detail).toBe('missing scope: audit');
    const none = await get('/write/x', bearer(await issuer.sign()));
    expect(none.body.detail).toBe('missing scopes: appointments:write, audit');
    const all = await get('/write/x', bearer(await issuer.sign({ scope: 'audit appointments:write' })));
    expect(all.status).toBe(200);
  });
});

describe('auth-jwt verified-token cache', () => {
  it('verifies a hot token once; later requests are answered from the cache', async () => {
    const token = await issuer.sign({ sub: 'hot' });
    const hits = 'portico_auth_jwt_verifications_total{result="valid",cache="hit"}';
    const misses = 'portico_auth_jwt_verifications_total{result="valid",cache="miss"}';
    const [hitsBefore, missesBefore] = [
      await metric(gateway.adminUrl, hits),
      await metric(gateway.adminUrl, misses),
    ];
    for (let i = 0; i < 5; i++) expect((await get('/mine/x', bearer(token))).status).toBe(200);
    expect((await metric(gateway.adminUrl, misses)) - missesBefore).toBe(1);
    expect((await metric(gateway.adminUrl, hits)) - hitsBefore).toBe(4);
  });

  it("a cached token still meets each route's requirements (the cache holds identity, not permission)", async () => {
    const token = await issuer.sign({ sub: 'cached-student', roles: ['student'] });
    expect((await get('/mine/x', bearer(token))).status).toBe(200);
    expect((await get('/staff/x', bearer(token))).status).toBe(403);
  });

  it('cache: { max: 0 } verifies every request', async () => {
    const uncached = await startTestGateway({
      upstreams: { api: { url: upstream.url, health: false } },
      plugins: [
        {
          name: 'auth-jwt',
          options: { issuers: [{ issuer: issuer.issuer, audiences: ['portico'] }], cache: { max: 0 } },
        },
      ],
      routes,
    });
    try {
      const token = await issuer.sign();
      for (let i = 0; i < 3; i++) {
        expect((await fetch(`${uncached.url}/mine/x`, { headers: bearer(token) })).status).toBe(200);
      }
      expect(
        await metric(uncached.adminUrl, 'portico_auth_jwt_verifications_total{result="valid",cache="miss"}'),
      ).toBe(3);
      expect(
        await metric(uncached.adminUrl, 'portico_auth_jwt_verifications_total{result="valid",cache="hit"}'),
      ).toBe(0);
    } finally {
      await uncached.stop();
    }
  });
});
