// The token handler against real services and a real IdP, one gateway with the memory store:
// the cookie's exact attributes, the session view, SSO, CSRF on every state-changing route of the
// route table, and no token in anything the browser gets.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signInThroughPortal } from './testing/campusPortal.ts';
import {
  COOKIE,
  JWT,
  PREFIX,
  SAME_ORIGIN,
  passwordLogin,
  startWebStack,
  type WebStack,
} from './testing/webStack.ts';

let stack: WebStack;

beforeAll(async () => {
  stack = await startWebStack();
});
afterAll(async () => {
  await stack?.stop();
});

const get = (path: string, cookie?: string) =>
  fetch(`${stack.url()}${PREFIX}${path}`, { headers: cookie ? { cookie } : {} });

describe('password login', () => {
  it('sets exactly one __Host- cookie: HttpOnly, Secure, SameSite=Strict, Path=/, no Domain, no token', async () => {
    const user = await stack.services.createUser('student', { name: 'Ada Student' });
    const { setCookie, response, body } = await passwordLogin(stack.url(), user.email, user.password);
    expect(response.headers.getSetCookie()).toHaveLength(1);
    expect(setCookie).toMatch(
      new RegExp(`^${COOKIE}=[A-Za-z0-9_-]{43}; Path=/; Secure; HttpOnly; SameSite=Strict$`),
    );
    expect(setCookie).not.toMatch(/domain=/i);
    expect(body).not.toMatch(JWT);
    expect(JSON.parse(body)).toMatchObject({
      authenticated: true,
      user: { id: user.id, roles: ['student'], name: 'Ada Student' },
    });
  });

  it('GET /session says who, which roles and until when, and never a token', async () => {
    const user = await stack.services.createUser('staff');
    const { cookie } = await passwordLogin(stack.url(), user.email, user.password);
    const response = await get('/session', cookie);
    const text = await response.text();
    expect(response.status).toBe(200);
    expect(text).not.toMatch(JWT);
    const body = JSON.parse(text) as { user: { id: string; roles: string[] }; expiresAt: string };
    expect(body.user).toMatchObject({ id: user.id, roles: ['staff'] });
    expect(Date.parse(body.expiresAt)).toBeGreaterThan(Date.now());
    expect(await (await get('/session')).json()).toMatchObject({
      authenticated: false,
      sso: { label: 'CSU Portal SSO' },
    });
  });

  it('a wrong password gets 401 and no cookie', async () => {
    const user = await stack.services.createUser('student');
    const response = await fetch(`${stack.url()}${PREFIX}/login`, {
      method: 'POST',
      headers: { ...SAME_ORIGIN, 'content-type': 'application/json' },
      body: JSON.stringify({ email: user.email, password: 'not-it' }),
    });
    expect(response.status).toBe(401);
    expect(response.headers.getSetCookie()).toEqual([]);
  });
});

describe('campus SSO', () => {
  it('code flow with PKCE, state and nonce through the portal ends in a session of the linked user', async () => {
    const staff = await stack.services.createUser('staff', { name: 'Sam Staff' });
    stack.portal.accounts.set('portal-staff-1', {
      email: staff.email,
      email_verified: true,
      name: 'Sam Staff',
    });
    const callback = await signInThroughPortal(stack.url(), PREFIX, 'portal-staff-1');
    expect(callback.status).toBe(302);
    expect(callback.headers.get('location')).toBe('/web/');
    const cookies = callback.headers.getSetCookie();
    const session = cookies.find((line) => line.startsWith(`${COOKIE}=`)) as string;
    expect(session).toMatch(
      new RegExp(`^${COOKIE}=[A-Za-z0-9_-]{43}; Path=/; Secure; HttpOnly; SameSite=Strict$`),
    );
    expect(cookies.some((line) => line.startsWith(`${COOKIE}-login=;`))).toBe(true);
    const view = await (await get('/session', session.split(';')[0])).json();
    expect(view).toMatchObject({ authenticated: true, user: { id: staff.id, roles: ['staff'] } });
  });

  it('a callback with a wrong state, or without the flow cookie, starts no session', async () => {
    const start = await fetch(`${stack.url()}${PREFIX}/login/sso`, { redirect: 'manual' });
    const flowCookie = (start.headers.getSetCookie()[0] as string).split(';')[0] as string;
    const wrong = await fetch(`${stack.url()}${PREFIX}/callback?code=x&state=forged`, {
      redirect: 'manual',
      headers: { cookie: flowCookie },
    });
    expect(wrong.headers.get('location')).toMatch(/sso=failed&reason=state/);
    expect(
      wrong.headers
        .getSetCookie()
        .some((line) => line.startsWith(`${COOKIE}=`) && !line.startsWith(`${COOKIE}=;`)),
    ).toBe(false);
    const state = new URL(start.headers.get('location') as string).searchParams.get('state');
    // The flow was used up by the failed attempt: the right state no longer works either.
    const replay = await fetch(`${stack.url()}${PREFIX}/callback?code=x&state=${state}`, {
      redirect: 'manual',
      headers: { cookie: flowCookie },
    });
    expect(replay.headers.get('location')).toMatch(/reason=expired/);
  });
});

describe('CSRF: every state-changing route under /web/v1 in the route table', () => {
  const stateChanging = () =>
    stack.gateways[0]!.gateway.server.table()
      .filter(
        (route) => route.path.startsWith(`${PREFIX}/`) && !['get', 'head', 'options'].includes(route.method),
      )
      .map((route) => ({
        method: route.method.toUpperCase(),
        path: route.path.replace(/\{[^}]+\}/g, '00000000-0000-4000-8000-000000000000'),
      }));

  it('finds the routes', () => {
    const routes = stateChanging();
    expect(routes.map((route) => `${route.method} ${route.path}`)).toEqual(
      expect.arrayContaining([`POST ${PREFIX}/login`, `POST ${PREFIX}/logout`, `POST ${PREFIX}/resources`]),
    );
    expect(routes.length).toBeGreaterThanOrEqual(5);
  });

  it('refuses each without X-CSRF, cross-site, or without Fetch Metadata and Origin, and changes nothing', async () => {
    const admin = await stack.services.createUser('admin');
    const { cookie } = await passwordLogin(stack.url(), admin.email, admin.password);
    const refusals: string[] = [];
    const variants: Record<string, Record<string, string>> = {
      'no X-CSRF': { 'sec-fetch-site': 'same-origin' },
      'cross-site': { 'sec-fetch-site': 'same-site', 'x-csrf': '1' },
      'no metadata, no origin': { 'x-csrf': '1' },
      'foreign origin': { origin: 'http://127.0.0.1:1', 'x-csrf': '1' },
    };
    for (const route of stateChanging()) {
      for (const [variant, headers] of Object.entries(variants)) {
        const response = await fetch(`${stack.url()}${route.path}`, {
          method: route.method,
          headers: { ...headers, cookie, 'content-type': 'application/json' },
          body: '{}',
        });
        expect(response.status, `${variant}: ${route.method} ${route.path}`).toBe(403);
        refusals.push(`${variant} ${route.method} ${route.path}`);
      }
    }
    expect(refusals.length).toBe(stateChanging().length * 4);
    // The refused logout did not end the session.
    expect(await (await get('/session', cookie)).json()).toMatchObject({ authenticated: true });
  });

  it('lets a same-origin request with X-CSRF through, and a listed Origin without Fetch Metadata', async () => {
    const user = await stack.services.createUser('student');
    const { cookie } = await passwordLogin(stack.url(), user.email, user.password);
    const logout = await fetch(`${stack.url()}${PREFIX}/logout`, {
      method: 'POST',
      headers: { origin: stack.url(), 'x-csrf': '1', cookie },
    });
    expect(logout.status).toBe(204);
    expect(logout.headers.getSetCookie()).toEqual([
      `${COOKIE}=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0`,
    ]);
    expect(await (await get('/session', cookie)).json()).toMatchObject({ authenticated: false });
  });
});
