// Signing-key rotation end to end: identity, a real gateway (auth-jwt) and the appointments
// service (the kit's verifier) behind it, under continuous traffic. Valid tokens never get a 401
// across rotations; a token whose key identity stopped publishing is refused by both verifiers
// within their bounds (configured short here; the test asserts outcomes, not durations).
import { decodeProtectedHeader } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestGateway, until } from '../../testing/index.ts';
import { startTestServices } from '../testing/index.ts';

const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const task of cleanup.splice(0).reverse()) await task();
});

async function stack(env: Record<string, string>, jwks: Record<string, unknown> = {}) {
  const services = await startTestServices({ env });
  cleanup.push(() => services.stop());
  const gateway = await startTestGateway({
    upstreams: {
      identity: { url: services.urls.identity, health: false },
      appointments: { url: services.urls.appointments, health: false },
    },
    plugins: [
      { name: 'auth-jwt', options: { issuers: [{ issuer: services.issuer, audiences: ['portico'] }], jwks } },
    ],
    routes: [
      { path: '/api/v1/auth/{rest*}', upstream: 'identity', stripPrefix: '/api/v1' },
      {
        path: '/api/v1/appointments/{rest*}',
        upstream: 'appointments',
        stripPrefix: '/api/v1',
        auth: 'required',
      },
    ],
  });
  cleanup.push(() => gateway.stop());
  const post = async (path: string, body: unknown, token?: string) => {
    const response = await fetch(`${gateway.url}/api/v1${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
    return {
      status: response.status,
      body: (await response.json().catch(() => ({}))) as Record<string, string>,
    };
  };
  const appointments = async (base: string, token: string) => {
    const response = await fetch(`${base}/appointments`, { headers: { authorization: `Bearer ${token}` } });
    await response.arrayBuffer();
    return { status: response.status, challenge: response.headers.get('www-authenticate') ?? '' };
  };
  return {
    services,
    /** GET /appointments through the gateway (auth-jwt, then the service's own check). */
    viaGateway: (token: string) => appointments(`${gateway.url}/api/v1`, token),
    /** GET /appointments on the service itself (only the kit's check). */
    direct: (token: string) => appointments(services.urls.appointments, token),
    login: async (user: { email: string; password: string }) => {
      const response = await post('/auth/login', { email: user.email, password: user.password });
      expect(response.status).toBe(200);
      return response.body.access_token!;
    },
    rotate: async () => {
      const response = await post('/auth/keys/rotate', {}, await services.adminToken());
      expect(response.status).toBe(200);
      return response.body.kid!;
    },
    publishedKids: async () => {
      const response = await fetch(`${services.urls.identity}/.well-known/jwks.json`);
      return ((await response.json()) as { keys: { kid: string }[] }).keys.map((key) => key.kid);
    },
  };
}

const kidOf = (token: string) => decodeProtectedHeader(token).kid!;

describe('identity key rotation under continuous traffic through the gateway', () => {
  it('answers no valid token with a 401 across two rotations (pre-publication, then refetch on the new kid)', async () => {
    // One second of pre-publication: far shorter than any verifier's routine refresh (gateway 5 min,
    // services 5 min), so both must fetch the new key on its first unknown kid.
    const { services, viaGateway, login, rotate, publishedKids } = await stack({
      IDENTITY_KEY_PREPUBLICATION: '1',
    });
    const users = await Promise.all([1, 2, 3, 4].map(() => services.createUser('student')));
    const firstToken = await login(users[0]!);
    const statuses = new Map<number, number>();
    const kidsUsed = new Set<string>();
    let sent = 0;
    let done = false;

    // Four clients log in again every third request, so tokens of a new key are used from the
    // moment it starts signing; a fifth keeps the token it got before any rotation.
    const client = async (index: number) => {
      let token = firstToken;
      for (let own = 0; !done; own++) {
        if (index > 0 && own % 3 === 0) token = await login(users[index - 1]!);
        kidsUsed.add(kidOf(token));
        const { status } = await viaGateway(token);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        sent++;
      }
    };
    const rotator = async () => {
      for (let round = 0; round < 2; round++) {
        const start = sent;
        await until('traffic before the rotation', async () => sent >= start + 40, 60_000);
        const kid = await rotate();
        expect(await publishedKids()).toContain(kid);
        await until('the new key signs', async () => kidOf(await login(users[0]!)) === kid, 60_000);
        const signing = sent;
        await until('traffic with the new key', async () => sent >= signing + 40, 60_000);
      }
      done = true;
    };
    await Promise.all([client(0), client(1), client(2), client(3), client(4), rotator()]);

    expect(kidsUsed.size).toBe(3);
    expect(statuses.get(401) ?? 0).toBe(0);
    // Every answer a 200 (the whole histogram shows on failure).
    expect(Object.fromEntries(statuses)).toEqual({ 200: sent });
    // The token from before both rotations is still good: its key is in its grace period.
    expect((await viaGateway(firstToken)).status).toBe(200);
  }, 240_000);

  it('refuses a token of a retired key once the grace period and the verifiers’ max age have passed', async () => {
    const { services, viaGateway, direct, login, rotate, publishedKids } = await stack(
      { IDENTITY_KEY_PREPUBLICATION: '1', IDENTITY_KEY_GRACE: '1', IDENTITY_JWKS_MAX_AGE: '1' },
      { refreshInterval: '1s' },
    );
    const user = await services.createUser('student');
    const oldToken = await login(user);
    const oldKid = kidOf(oldToken);
    expect((await viaGateway(oldToken)).status).toBe(200);
    expect((await direct(oldToken)).status).toBe(200);

    const newKid = await rotate();
    await until('the new key signs', async () => kidOf(await login(user)) === newKid);
    await until('the old key is no longer published', async () => !(await publishedKids()).includes(oldKid));
    // Both verifiers drop it: the gateway at its next refresh (its verified-token cache forgets
    // the token), the service once its copy of the JWKS is older than IDENTITY_JWKS_MAX_AGE.
    await until('the gateway refuses the old token', async () => (await viaGateway(oldToken)).status === 401);
    await until('the service refuses the old token', async () => (await direct(oldToken)).status === 401);
    expect((await viaGateway(oldToken)).challenge).toMatch(/unknown signing key/);

    const newToken = await login(user);
    expect(kidOf(newToken)).toBe(newKid);
    expect((await viaGateway(newToken)).status).toBe(200);
    expect((await direct(newToken)).status).toBe(200);
  }, 120_000);
});
