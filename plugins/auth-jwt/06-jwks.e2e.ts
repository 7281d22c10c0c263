// Key rotation and IdP outages end to end: a real gateway, a real issuer whose JWKS server can
// rotate keys, fail or go away, and a real upstream counting what reaches it.
import { afterEach, describe, expect, it } from 'vitest';
import { startTestIssuer } from './testing/testIssuer.ts';
import { startTestGateway, startUpstream, type TestGateway } from '../../testing/index.ts';

const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const task of cleanup.splice(0).reverse()) await task();
});

async function setup(
  jwks: Record<string, unknown> = {},
  cache: Record<string, unknown> = {},
  { failing = false } = {},
) {
  const [issuer, upstream] = await Promise.all([startTestIssuer(), startUpstream()]);
  cleanup.push(
    () => upstream.close(),
    () => issuer.stop(),
  );
  // Failing before the gateway starts: its start-up fetch must not get the keys either.
  issuer.setFailing(failing);
  const gateway = await startTestGateway({
    upstreams: { api: { url: upstream.url, health: false } },
    // Discovery, as with a real IdP: no jwksUri configured.
    plugins: [
      {
        name: 'auth-jwt',
        options: { issuers: [{ issuer: issuer.issuer, audiences: ['portico'] }], jwks, cache },
      },
    ],
    routes: [{ path: '/api/{rest*}', upstream: 'api', auth: 'required' }],
  });
  cleanup.push(() => gateway.stop());
  return { issuer, upstream, gateway };
}

async function call(gateway: TestGateway, token: string) {
  const response = await fetch(`${gateway.url}/api/x`, { headers: { authorization: `Bearer ${token}` } });
  const body = await response.text();
  return {
    status: response.status,
    retryAfter: response.headers.get('retry-after'),
    type: response.headers.get('content-type'),
    body,
  };
}

describe('auth-jwt key rotation during continuous traffic', () => {
  it('answers no request with a false 401 while the issuer rotates its signing key twice (default cooldown)', async () => {
    const { issuer, upstream, gateway } = await setup();
    const statuses = new Map<number, number>();
    let sent = 0;
    let rotations = 0;
    let afterLastRotation = 0;
    const oldToken = await issuer.sign({ sub: 'long-lived-client' });

    // Four clients: each request carries a token from the issuer's current key, or an older one still valid.
    const client = async (index: number) => {
      while (rotations < 2 || afterLastRotation < 200) {
        const token = index === 0 ? oldToken : await issuer.sign({ sub: `client-${index}-${sent}` });
        const { status } = await call(gateway, token);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        sent++;
        if (rotations === 2) afterLastRotation++;
      }
    };
    const rotator = async () => {
      for (const round of [1, 2]) {
        while (sent < round * 150) await new Promise((resolve) => setImmediate(resolve));
        // The issuer publishes a new key and signs with it at once (the hard case: no head start).
        await issuer.rotate();
        rotations = round;
      }
    };
    await Promise.all([client(0), client(1), client(2), client(3), rotator()]);

    expect(issuer.published.length).toBe(3);
    expect(statuses.get(401) ?? 0).toBe(0);
    expect([...statuses.keys()]).toEqual([200]);
    expect(upstream.seen.length).toBe(sent);
    // Each rotation cost one refetch: discovery once, then the start-up fetch and two refetches at most.
    expect(issuer.fetches.discovery).toBe(1);
    expect(issuer.fetches.jwks).toBeLessThanOrEqual(3);
  });
});

describe('auth-jwt when the JWKS endpoint is down', () => {
  it('keys cached: valid tokens still pass, with no fetch attempted', async () => {
    const { issuer, upstream, gateway } = await setup({ failureBackoff: 0 }, { max: 0 });
    expect((await call(gateway, await issuer.sign())).status).toBe(200);
    const fetchesBefore = issuer.fetches.jwks;
    issuer.setFailing(true);
    for (let i = 0; i < 5; i++)
      expect((await call(gateway, await issuer.sign({ sub: `u-${i}` }))).status).toBe(200);
    expect(issuer.fetches.jwks).toBe(fetchesBefore);
    expect(upstream.seen.length).toBe(6);
  });

  it('keys cached, endpoint gone (connection refused): valid tokens still pass', async () => {
    const { issuer, gateway } = await setup({}, { max: 0 });
    expect((await call(gateway, await issuer.sign())).status).toBe(200);
    const later = await issuer.sign({ sub: 'after-outage' });
    await issuer.stop();
    expect((await call(gateway, later)).status).toBe(200);
  });

  it('keys cached, but the token names a key not cached: 503 with Retry-After, never 401, nothing forwarded', async () => {
    const { issuer, upstream, gateway } = await setup({ cooldown: 0 });
    expect((await call(gateway, await issuer.sign())).status).toBe(200);
    issuer.setFailing(true);
    const rotated = await issuer.rotate();
    const response = await call(gateway, await issuer.sign({}, { key: rotated }));
    expect(response.status).toBe(503);
    expect(response.type).toMatch(/^application\/problem\+json/);
    expect(Number(response.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(upstream.seen.length).toBe(1);
  });

  it('nothing cached, endpoint answering 503: 503 problem+json with Retry-After; it recovers once the endpoint does', async () => {
    const { issuer, upstream, gateway } = await setup({ failureBackoff: 0 }, {}, { failing: true });
    const token = await issuer.sign();
    for (let i = 0; i < 3; i++) {
      const response = await call(gateway, token);
      expect(response.status).toBe(503);
      expect(response.type).toMatch(/^application\/problem\+json/);
      expect(response.retryAfter).toBe('1');
      expect(JSON.parse(response.body)).toMatchObject({
        status: 503,
        detail: 'authentication is temporarily unavailable',
      });
    }
    expect(upstream.seen.length).toBe(0);
    issuer.setFailing(false);
    expect((await call(gateway, token)).status).toBe(200);
    expect(upstream.seen.length).toBe(1);
  });

  it('nothing cached, endpoint failing: 503, and the failure backoff spares the IdP (one attempt for many requests)', async () => {
    const { issuer, upstream, gateway } = await setup({ failureBackoff: '1h' }, {}, { failing: true });
    const token = await issuer.sign();
    const statuses = await Promise.all(
      Array.from({ length: 10 }, async () => (await call(gateway, token)).status),
    );
    expect(new Set(statuses)).toEqual(new Set([503]));
    // One discovery attempt (at start-up) failed; the backoff kept every request from fetching again.
    expect(issuer.fetches.discovery + issuer.fetches.jwks).toBe(1);
    expect(upstream.seen.length).toBe(0);
  });

  it('nothing cached, endpoint gone (connection refused): 503 problem+json, nothing forwarded', async () => {
    const { issuer, upstream, gateway } = await setup({ failureBackoff: 0 }, {}, { failing: true });
    const token = await issuer.sign();
    await issuer.stop();
    const response = await call(gateway, token);
    expect(response.status).toBe(503);
    expect(response.type).toMatch(/^application\/problem\+json/);
    expect(response.retryAfter).toBe('1');
    expect(upstream.seen.length).toBe(0);
  });
});
