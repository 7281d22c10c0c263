import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../../testing/index.ts';
import { contractClients, startTestServices } from '../testing/index.ts';
import type { ContractClient, TestServices } from '../testing/index.ts';

let services: TestServices;
let api: Awaited<ReturnType<typeof contractClients>>;
let identity: ContractClient;

beforeAll(async () => {
  // A one-second pre-publication, so the rotation test sees the new key go from published to signing.
  services = await startTestServices({ env: { IDENTITY_KEY_PREPUBLICATION: '1' } });
  api = await contractClients(services.urls);
  identity = api.identity;
});
afterAll(async () => {
  await services?.stop();
});

const uniqueEmail = (tag: string) => `${tag}-${Math.random().toString(36).slice(2)}@campus.example.edu`;
const PASSWORD = 'a long enough passphrase';

async function registerAndLogin(email = uniqueEmail('u')) {
  const registered = await identity.request('POST', '/auth/register', {
    json: { email, password: PASSWORD, name: 'Sam' },
  });
  expect(registered.status).toBe(201);
  const login = await identity.request('POST', '/auth/login', { json: { email, password: PASSWORD } });
  expect(login.status).toBe(200);
  return { user: registered.body, tokens: login.body };
}

describe('register and login', () => {
  it('registers a student and issues ES256 tokens with the documented claims', async () => {
    const { user, tokens } = await registerAndLogin();
    expect(user.roles).toEqual(['student']);
    expect(tokens.token_type).toBe('Bearer');
    const header = decodeProtectedHeader(tokens.access_token);
    expect(header.alg).toBe('ES256');
    expect(header.kid).toBeTruthy();
    const claims = decodeJwt(tokens.access_token);
    expect(claims).toMatchObject({ iss: services.issuer, aud: 'portico', sub: user.id, roles: ['student'] });
    expect((claims.exp as number) - (claims.iat as number)).toBeLessThanOrEqual(15 * 60);
    const me = await identity.request('GET', '/auth/me', { token: tokens.access_token });
    expect(me.body).toEqual(user);
  });

  it('rejects a weak password with a 400 that says why', async () => {
    const short = await identity.request('POST', '/auth/register', {
      json: { email: uniqueEmail('w'), password: 'abc123' },
    });
    expect(short.status).toBe(400);
    expect(short.body.detail).toMatch(/at least 10 characters/);
    const common = await identity.request('POST', '/auth/register', {
      json: { email: uniqueEmail('w'), password: 'password123' },
    });
    expect(common.status).toBe(400);
    expect(common.body.detail).toMatch(/commonly used/);
  });

  it('keeps emails unique regardless of case', async () => {
    const email = uniqueEmail('dup');
    expect(
      (await identity.request('POST', '/auth/register', { json: { email, password: PASSWORD } })).status,
    ).toBe(201);
    const again = await identity.request('POST', '/auth/register', {
      json: { email: email.toUpperCase(), password: PASSWORD },
    });
    expect(again.status).toBe(409);
  });

  it('answers malformed input with a 400 problem, never a stack trace', async () => {
    const invalid = await identity.request('POST', '/auth/register', {
      json: { email: 'not-an-email', password: 5 },
    });
    expect(invalid.status).toBe(400);
    expect(invalid.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(invalid.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['email', 'password']);
    const broken = await identity.request('POST', '/auth/login', {
      body: '{"email":',
      headers: { 'content-type': 'application/json', 'x-request-id': 'req-broken-json' },
    });
    expect(broken.status).toBe(400);
    expect(broken.body.instance).toBe('req-broken-json');
    expect(JSON.stringify(broken.body)).not.toMatch(/at .*\.(ts|js):\d+/);
  });

  it('rejects a wrong password with 401 and a tampered token on /auth/me', async () => {
    const email = uniqueEmail('wrong');
    const { tokens } = await registerAndLogin(email);
    const wrong = await identity.request('POST', '/auth/login', {
      json: { email, password: 'not the passphrase' },
    });
    expect(wrong.status).toBe(401);
    const tampered = `${tokens.access_token.slice(0, -4)}AAAA`;
    const me = await identity.request('GET', '/auth/me', { token: tampered });
    expect(me.status).toBe(401);
    expect(me.headers.get('www-authenticate')).toMatch(/^Bearer/);
  });
});

describe('refresh token rotation', () => {
  it('rotates on every use', async () => {
    const { tokens } = await registerAndLogin();
    const first = await identity.request('POST', '/auth/refresh', {
      json: { refresh_token: tokens.refresh_token },
    });
    expect(first.status).toBe(200);
    expect(first.body.refresh_token).not.toBe(tokens.refresh_token);
    const second = await identity.request('POST', '/auth/refresh', {
      json: { refresh_token: first.body.refresh_token },
    });
    expect(second.status).toBe(200);
  });

  it('revokes the whole family when a rotated token is reused', async () => {
    const { tokens } = await registerAndLogin();
    const rotated = await identity.request('POST', '/auth/refresh', {
      json: { refresh_token: tokens.refresh_token },
    });
    expect(rotated.status).toBe(200);
    // An attacker replays the old token: refused, and the family dies with it...
    const reuse = await identity.request('POST', '/auth/refresh', {
      json: { refresh_token: tokens.refresh_token },
    });
    expect(reuse.status).toBe(401);
    expect(reuse.body.detail).toMatch(/revoked/);
    // ...so the legitimate holder's current token no longer works either.
    const legit = await identity.request('POST', '/auth/refresh', {
      json: { refresh_token: rotated.body.refresh_token },
    });
    expect(legit.status).toBe(401);
  });

  it('leaves other families (other logins) alone', async () => {
    const email = uniqueEmail('fam');
    const { tokens: phone } = await registerAndLogin(email);
    const laptop = await identity.request('POST', '/auth/login', { json: { email, password: PASSWORD } });
    await identity.request('POST', '/auth/refresh', { json: { refresh_token: phone.refresh_token } });
    await identity.request('POST', '/auth/refresh', { json: { refresh_token: phone.refresh_token } });
    const other = await identity.request('POST', '/auth/refresh', {
      json: { refresh_token: laptop.body.refresh_token },
    });
    expect(other.status).toBe(200);
  });

  it('logout revokes the family', async () => {
    const { tokens } = await registerAndLogin();
    const rotated = await identity.request('POST', '/auth/refresh', {
      json: { refresh_token: tokens.refresh_token },
    });
    expect(
      (
        await identity.request('POST', '/auth/logout', {
          json: { refresh_token: rotated.body.refresh_token },
        })
      ).status,
    ).toBe(204);
    const after = await identity.request('POST', '/auth/refresh', {
      json: { refresh_token: rotated.body.refresh_token },
    });
    expect(after.status).toBe(401);
    expect(
      (await identity.request('POST', '/auth/logout', { json: { refresh_token: 'unknown' } })).status,
    ).toBe(204);
  });
});

describe('login throttling', () => {
  it('locks an account after repeated failures, even for the right password, with Retry-After', async () => {
    const email = uniqueEmail('locked');
    await registerAndLogin(email);
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 5; attempt += 1) {
      statuses.push(
        (await identity.request('POST', '/auth/login', { json: { email, password: 'wrong password!' } }))
          .status,
      );
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401]);
    const locked = await identity.request('POST', '/auth/login', { json: { email, password: PASSWORD } });
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  });

  it('locks a client IP that fails across many accounts', async () => {
    const ip = '203.0.113.77';
    const headers = { 'x-forwarded-for': ip };
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 20; attempt += 1) {
      const email = uniqueEmail(`spray${attempt}`);
      statuses.push(
        (await identity.request('POST', '/auth/login', { json: { email, password: 'guess guess' }, headers }))
          .status,
      );
    }
    expect(new Set(statuses)).toEqual(new Set([401]));
    const { user } = await registerAndLogin();
    expect(user.id).toBeTruthy();
    const fromThatIp = await identity.request('POST', '/auth/login', {
      json: { email: uniqueEmail('x'), password: 'guess guess' },
      headers,
    });
    expect(fromThatIp.status).toBe(429);
    // Another address is unaffected.
    const elsewhere = await identity.request('POST', '/auth/login', {
      json: { email: uniqueEmail('y'), password: 'guess guess' },
      headers: { 'x-forwarded-for': '198.51.100.1' },
    });
    expect(elsewhere.status).toBe(401);
  });
});

describe('sso without a configured issuer', () => {
  it('answers 501', async () => {
    const response = await identity.request('POST', '/auth/sso', { json: { id_token: 'a.b.c' } });
    expect(response.status).toBe(501);
  });
});

describe('roles', () => {
  it('lets an admin set roles, and nobody else', async () => {
    const student = await services.createUser('student');
    const target = await services.createUser('student');
    const denied = await identity.request('PUT', `/auth/users/${target.id}/roles`, {
      token: student.accessToken,
      json: { roles: ['admin'] },
    });
    expect(denied.status).toBe(403);
    const admin = await services.adminToken();
    const granted = await identity.request('PUT', `/auth/users/${target.id}/roles`, {
      token: admin,
      json: { roles: ['staff', 'staff'] },
    });
    expect(granted.status).toBe(200);
    expect(granted.body.roles).toEqual(['staff']);
    const invalid = await identity.request('PUT', `/auth/users/${target.id}/roles`, {
      token: admin,
      json: { roles: ['root'] },
    });
    expect(invalid.status).toBe(400);
    const missing = await identity.request('PUT', '/auth/users/00000000-0000-4000-8000-000000000000/roles', {
      token: admin,
      json: { roles: ['staff'] },
    });
    expect(missing.status).toBe(404);
  });
});

describe('discovery, JWKS and key rotation', () => {
  it('publishes discovery and a JWKS that verifies its tokens', async () => {
    const discovery = await identity.request('GET', '/.well-known/openid-configuration');
    expect(discovery.body.issuer).toBe(services.issuer);
    const jwks = createRemoteJWKSet(new URL(discovery.body.jwks_uri));
    const { tokens } = await registerAndLogin();
    const { payload } = await jwtVerify(tokens.access_token, jwks, {
      issuer: services.issuer,
      audience: 'portico',
    });
    expect(payload.roles).toEqual(['student']);
    const keys = await identity.request('GET', '/.well-known/jwks.json');
    expect(keys.status).toBe(200);
  });

  it('publishes a new key before signing with it, and keeps the previous one published, so its tokens stay valid', async () => {
    const before = await services.createUser('student');
    const oldKid = decodeProtectedHeader(before.accessToken).kid;
    const rotated = await identity.request('POST', '/auth/keys/rotate', {
      token: await services.adminToken(),
    });
    expect(rotated.status).toBe(200);
    expect(rotated.body.kid).not.toBe(oldKid);
    expect(Date.parse(rotated.body.activatesAt)).toBeGreaterThan(Date.now() - 1000);
    const published = (await identity.request('GET', '/.well-known/jwks.json')).body.keys.map(
      (key: { kid: string }) => key.kid,
    );
    expect(published).toEqual(expect.arrayContaining([oldKid, rotated.body.kid]));
    // Pre-publication: until activatesAt, tokens are still signed with the previous key.
    const login = async () => {
      const response = await identity.request('POST', '/auth/login', {
        json: { email: before.email, password: before.password },
      });
      expect(response.status).toBe(200);
      return response.body.access_token as string;
    };
    if (Date.now() < Date.parse(rotated.body.activatesAt) - 200) {
      expect(decodeProtectedHeader(await login()).kid).toBe(oldKid);
    }
    await until(
      'the new key signs',
      async () => decodeProtectedHeader(await login()).kid === rotated.body.kid,
    );
    const after = await services.createUser('student');
    expect(decodeProtectedHeader(after.accessToken).kid).toBe(rotated.body.kid);
    // Other services pick up the new key from the JWKS and still accept the old one.
    for (const token of [before.accessToken, after.accessToken]) {
      expect((await api.appointments.request('GET', '/appointments', { token })).status).toBe(200);
    }
    const studentRotate = await identity.request('POST', '/auth/keys/rotate', { token: after.accessToken });
    expect(studentRotate.status).toBe(403);
  });
});

describe('health and GraphQL', () => {
  it('reports health and readiness', async () => {
    expect((await identity.request('GET', '/healthz')).status).toBe(200);
    expect((await identity.request('GET', '/readyz')).status).toBe(200);
  });

  it('serves User over GraphQL, hiding other users from students', async () => {
    const student = await services.createUser('student');
    const other = await services.createUser('student');
    const staff = await services.createUser('staff');
    const query = async (token: string) => {
      const response = await fetch(`${services.urls.identity}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({
          query: `{ me { id roles } usersByIds(ids: ["${student.id}", "${other.id}"]) { id } }`,
        }),
      });
      return (await response.json()) as {
        data: { me: { id: string }; usersByIds: ({ id: string } | null)[] };
      };
    };
    const asStudent = await query(student.accessToken);
    expect(asStudent.data.me.id).toBe(student.id);
    expect(asStudent.data.usersByIds).toEqual([{ id: student.id }, null]);
    const asStaff = await query(staff.accessToken);
    expect(asStaff.data.usersByIds).toEqual([{ id: student.id }, { id: other.id }]);
  });

  it('checked every response against the contract', () => {
    expect(identity.checked).toBeGreaterThan(40);
  });
});
