// Sessions in a real Redis shared by two gateway instances: any instance serves any session, a
// restarted instance still does, the store holds no token in plain text, refresh happens
// server-side (short token lifetimes) without the browser seeing a new cookie, a refused refresh
// ends the session, and logout revokes the refresh token at identity.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisSkipReason, startRedisServer, until, type RedisServer } from '../../testing/index.ts';
import { createSessionCipher } from './sessionCipher.ts';
import { storeKeyOf, type SessionRecord } from './sessions.ts';
import {
  JWT,
  PREFIX,
  SAME_ORIGIN,
  SESSION_KEY,
  passwordLogin,
  startWebStack,
  type WebStack,
} from './testing/webStack.ts';

const skip = redisSkipReason();
// eslint-disable-next-line no-console -- a skip must be loud
if (skip) console.warn(`bff/web/redis.e2e.ts: ${skip}`);

let redisServer: RedisServer;
let redis: Redis;
let stack: WebStack;
const cipher = createSessionCipher([{ id: SESSION_KEY.id, key: Buffer.from(SESSION_KEY.key, 'base64') }]);

/** The session's record as the store holds it, opened with the test's copy of the key. */
async function recordOf(cookie: string): Promise<SessionRecord | undefined> {
  const hash = storeKeyOf(cookie.split('=')[1] as string);
  const sealed = await redis.get(`portico:web:s:${hash}`);
  if (!sealed) return undefined;
  return JSON.parse(cipher.open(sealed, hash) as string) as SessionRecord;
}

const get = (instance: number, path: string, cookie: string) =>
  fetch(`${stack.url(instance)}${PREFIX}${path}`, { headers: { cookie } });

describe.skipIf(skip)('web sessions in Redis, two gateway instances', () => {
  beforeAll(async () => {
    redisServer = await startRedisServer();
    redis = new Redis(redisServer.url);
    // The test's own reader: the outage test takes Redis away on purpose.
    redis.on('error', () => {});
    // Access tokens live 30 s and are refreshed when they expire within 30 s: every use refreshes.
    stack = await startWebStack({
      instances: 2,
      redisUrl: redisServer.url,
      accessTokenTtl: 30,
      refreshBefore: '30s',
    });
  });
  afterAll(async () => {
    await stack?.stop();
    redis?.disconnect();
    await redisServer?.stop();
  });

  it('a session made on one instance is served by the other, and survives a restart of the first', async () => {
    const user = await stack.services.createUser('student');
    const { cookie } = await passwordLogin(stack.url(0), user.email, user.password);
    expect(await (await get(1, '/session', cookie)).json()).toMatchObject({
      authenticated: true,
      user: { id: user.id },
    });
    await stack.gateways[0]!.stop();
    await stack.startGateway(0);
    expect(await (await get(0, '/session', cookie)).json()).toMatchObject({
      authenticated: true,
      user: { id: user.id },
    });
  });

  it('keeps no token, session id or name in plain text in Redis', async () => {
    const user = await stack.services.createUser('student', { name: 'Plaintext Pat' });
    const { cookie } = await passwordLogin(stack.url(0), user.email, user.password);
    const record = (await recordOf(cookie)) as SessionRecord;
    const keys = await redis.keys('*');
    const values = await Promise.all(keys.map((key) => redis.get(key)));
    const everything = keys.join('\n') + '\n' + values.join('\n');
    expect(keys.length).toBeGreaterThan(0);
    expect(everything).not.toContain(record.accessToken);
    expect(everything).not.toContain(record.refreshToken);
    expect(everything).not.toContain(cookie.split('=')[1]);
    expect(everything).not.toContain('Plaintext Pat');
    expect(everything).not.toMatch(JWT);
    expect(everything).not.toContain('eyJ');
  });

  it('refreshes server-side before expiry: new tokens in the store, the same cookie, no Set-Cookie', async () => {
    const user = await stack.services.createUser('student');
    const { cookie } = await passwordLogin(stack.url(0), user.email, user.password);
    const before = (await recordOf(cookie)) as SessionRecord;
    const first = await get(1, '/dashboard', cookie);
    expect(first.status).toBe(200);
    expect(first.headers.getSetCookie()).toEqual([]);
    const after = (await recordOf(cookie)) as SessionRecord;
    expect(after.refreshToken).not.toBe(before.refreshToken);
    expect(after.accessToken).not.toBe(before.accessToken);
    expect(after.absoluteExpiresAt).toBe(before.absoluteExpiresAt);
    // Concurrent requests on both instances share one refresh per rotation: identity sees no reuse.
    const responses = await Promise.all(
      Array.from({ length: 6 }, (_, index) => get(index % 2, '/session', cookie)),
    );
    expect(responses.map((response) => response.status)).toEqual([200, 200, 200, 200, 200, 200]);
    const bodies = await Promise.all(responses.map((response) => response.json()));
    expect(bodies.every((body) => (body as { authenticated: boolean }).authenticated)).toBe(true);
    expect(await (await get(0, '/session', cookie)).json()).toMatchObject({ authenticated: true });
  });

  it('a refresh identity refuses ends the session instead of extending it', async () => {
    const user = await stack.services.createUser('student');
    const { cookie } = await passwordLogin(stack.url(0), user.email, user.password);
    const record = (await recordOf(cookie)) as SessionRecord;
    // The family is revoked behind the BFF's back (as an admin or a reuse detection would).
    const revoked = await fetch(`${stack.services.urls.identity}/auth/logout`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refresh_token: record.refreshToken }),
    });
    expect(revoked.status).toBe(204);
    const response = await get(1, '/dashboard', cookie);
    expect(response.status).toBe(401);
    expect(response.headers.getSetCookie()[0]).toMatch(/Max-Age=0/);
    expect(await recordOf(cookie)).toBeUndefined();
  });

  it('logout revokes the refresh token at identity and deletes the record', async () => {
    const user = await stack.services.createUser('student');
    const { cookie } = await passwordLogin(stack.url(0), user.email, user.password);
    const record = (await recordOf(cookie)) as SessionRecord;
    const logout = await fetch(`${stack.url(1)}${PREFIX}/logout`, {
      method: 'POST',
      headers: { ...SAME_ORIGIN, cookie },
    });
    expect(logout.status).toBe(204);
    expect(await recordOf(cookie)).toBeUndefined();
    const refresh = await fetch(`${stack.services.urls.identity}/auth/refresh`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refresh_token: record.refreshToken }),
    });
    expect(refresh.status).toBe(401);
  });

  // Last: it takes Redis away.
  it('fails closed with 503 while Redis is down, and answers again once it is back', async () => {
    const user = await stack.services.createUser('student');
    const { cookie } = await passwordLogin(stack.url(0), user.email, user.password);
    await redisServer.kill();
    const down = await get(1, '/dashboard', cookie);
    expect(down.status).toBe(503);
    expect(down.headers.get('retry-after')).toBe('5');
    await redisServer.restart();
    // The record went with the killed server (no persistence in the test): a clean 401, no 500.
    let status = 0;
    await until('the gateway reconnects to Redis', async () => {
      status = (await get(1, '/dashboard', cookie)).status;
      return status !== 503;
    });
    expect(status).toBe(401);
  });
});
