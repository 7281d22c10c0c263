// The response cache in a real gateway in front of a real upstream (and, for sharing, a real
// redis-server): hits never reach the upstream, users never share an entry on a private route,
// writes and the admin purge, Cache-Control both ways, ETag/If-None-Match, Vary.
import type http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestIssuer, type TestIssuer } from '../auth-jwt/testing/testIssuer.ts';
import {
  rawRequest,
  redisSkipReason,
  startRedisServer,
  startTestGateway,
  startUpstream,
  type RedisServer,
  type TestGateway,
  type TestUpstream,
} from '../../testing/index.ts';

let served = 0;
function answer(req: http.IncomingMessage, res: http.ServerResponse) {
  const url = new URL(req.url ?? '/', 'http://upstream');
  served++;
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    req.resume();
    res.statusCode = url.pathname.includes('/fail') ? 500 : 200;
    res.setHeader('content-type', 'application/json');
    res.end('{"ok":true}');
    return;
  }
  const headers: Record<string, string> = { 'content-type': 'application/json', etag: `"e${served}"` };
  if (url.pathname.includes('/no-store')) headers['cache-control'] = 'no-store';
  if (url.pathname.includes('/private')) headers['cache-control'] = 'private, max-age=60';
  if (url.pathname.includes('/max-age-0')) headers['cache-control'] = 'max-age=0';
  if (url.pathname.includes('/vary')) headers.vary = 'Accept-Language';
  if (url.pathname.includes('/cookie')) headers['set-cookie'] = 'session=abc';
  res.writeHead(200, headers);
  res.end(
    JSON.stringify({
      path: req.url,
      user: req.headers['x-user-id'] ?? null,
      key: req.headers['x-api-key-id'] ?? null,
      language: req.headers['accept-language'] ?? null,
      n: served,
      link: 'l',
    }),
  );
}

let upstream: TestUpstream;
let issuer: TestIssuer;
let gateway: TestGateway;

const route = (name: string, path: string, extra: Record<string, unknown> = {}) => ({
  name,
  path,
  upstream: 'api',
  plugins: { 'response-cache': {} },
  ...extra,
});

beforeAll(async () => {
  [upstream, issuer] = await Promise.all([startUpstream(answer), startTestIssuer()]);
  gateway = await startTestGateway({
    upstreams: { api: { url: upstream.url, health: false } },
    plugins: [
      { name: 'response-cache', options: { store: 'memory' } },
      {
        name: 'auth-jwt',
        options: { issuers: [{ issuer: issuer.issuer, audiences: ['portico'], jwksUri: issuer.jwksUri }] },
      },
      { name: 'api-key', options: { store: { type: 'memory' } } },
      { name: 'transform' },
    ],
    routes: [
      route('catalog', '/catalog/{rest*}'),
      route('mine', '/mine/{rest*}', { auth: 'required', plugins: { 'response-cache': {}, 'api-key': {} } }),
      route('maybe', '/maybe/{rest*}', { auth: 'optional' }),
      route('v2', '/v2/{rest*}', {
        plugins: {
          'response-cache': { ttl: '1m' },
          transform: { response: { body: { rename: { link: 'url' } } } },
        },
      }),
      { name: 'uncached', path: '/uncached/{rest*}', upstream: 'api' },
    ],
  });
});
afterAll(async () => {
  await gateway?.stop();
  await Promise.all([upstream?.close(), issuer?.stop()]);
});

async function call(path: string, headers: Record<string, string> = {}, method = 'GET', target = gateway) {
  const before = upstream.seen.length;
  const response = await rawRequest(target.url, path, {
    method,
    headers,
    ...(method === 'PUT' ? { body: '{}' } : {}),
  });
  return {
    status: response.status,
    headers: response.headers,
    body: response.body ? (JSON.parse(response.body) as Record<string, unknown>) : undefined,
    text: response.body,
    upstreamCalls: upstream.seen.length - before,
  };
}

describe('response-cache: hits and misses', () => {
  it('a second identical GET is a HIT, served without the upstream; the same bytes', async () => {
    const first = await call('/catalog/programs?limit=5');
    expect([first.status, first.headers['x-cache'], first.upstreamCalls]).toEqual([200, 'MISS', 1]);
    const second = await call('/catalog/programs?limit=5');
    expect([second.status, second.headers['x-cache'], second.upstreamCalls]).toEqual([200, 'HIT', 0]);
    expect(second.text).toBe(first.text);
    expect(second.headers['content-length']).toBe(String(Buffer.byteLength(first.text)));
    expect(second.headers.etag).toBe(first.headers.etag);
    expect(Number(second.headers.age)).toBeGreaterThanOrEqual(0);
  });

  it('keys on the query: another query is another entry', async () => {
    await call('/catalog/programs?limit=5');
    const other = await call('/catalog/programs?limit=6');
    expect([other.headers['x-cache'], other.upstreamCalls]).toEqual(['MISS', 1]);
  });

  it('keys on the Vary headers of the answer', async () => {
    const en = await call('/catalog/vary', { 'accept-language': 'en' });
    const fr = await call('/catalog/vary', { 'accept-language': 'fr' });
    expect([en.headers['x-cache'], fr.headers['x-cache'], fr.upstreamCalls]).toEqual(['MISS', 'MISS', 1]);
    const enAgain = await call('/catalog/vary', { 'accept-language': 'en' });
    const frAgain = await call('/catalog/vary', { 'accept-language': 'fr' });
    expect([enAgain.headers['x-cache'], enAgain.body!.language]).toEqual(['HIT', 'en']);
    expect([frAgain.headers['x-cache'], frAgain.body!.language]).toEqual(['HIT', 'fr']);
  });

  it('leaves a route that did not opt in alone', async () => {
    for (let i = 0; i < 2; i++) {
      const response = await call('/uncached/x');
      expect([response.headers['x-cache'], response.upstreamCalls]).toEqual([undefined, 1]);
    }
  });

  it('a HIT goes through transform like a MISS (the entry holds the upstream answer)', async () => {
    const miss = await call('/v2/item');
    const hit = await call('/v2/item');
    expect([miss.headers['x-cache'], hit.headers['x-cache'], hit.upstreamCalls]).toEqual(['MISS', 'HIT', 0]);
    for (const response of [miss, hit]) {
      expect(response.body!.url).toBe('l');
      expect(response.body!.link).toBeUndefined();
    }
  });
});

describe('response-cache: private routes', () => {
  it('two users never share an entry; each gets their own answer back as a HIT', async () => {
    const alice = { authorization: `Bearer ${await issuer.sign({ sub: 'alice' })}` };
    const bob = { authorization: `Bearer ${await issuer.sign({ sub: 'bob' })}` };
    const a1 = await call('/mine/appointments', alice);
    const b1 = await call('/mine/appointments', bob);
    expect([a1.headers['x-cache'], a1.body!.user]).toEqual(['MISS', 'alice']);
    expect([b1.headers['x-cache'], b1.body!.user, b1.upstreamCalls]).toEqual(['MISS', 'bob', 1]);
    const a2 = await call('/mine/appointments', alice);
    const b2 = await call('/mine/appointments', bob);
    expect([a2.headers['x-cache'], a2.body!.user, a2.upstreamCalls]).toEqual(['HIT', 'alice', 0]);
    expect([b2.headers['x-cache'], b2.body!.user, b2.upstreamCalls]).toEqual(['HIT', 'bob', 0]);
  });

  it('an API key is a caller of its own, apart from users', async () => {
    const admin = await fetch(`${gateway.adminUrl}/api-keys`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...gateway.adminHeaders },
      body: JSON.stringify({ name: 'p', owner: 'o' }),
    });
    const { key, id } = (await admin.json()) as { key: string; id: string };
    const first = await call('/mine/keyed', { 'x-api-key': key });
    const user = await call('/mine/keyed', {
      authorization: `Bearer ${await issuer.sign({ sub: 'alice' })}`,
    });
    expect([first.body!.key, user.headers['x-cache'], user.body!.key]).toEqual([id, 'MISS', null]);
    expect((await call('/mine/keyed', { 'x-api-key': key })).headers['x-cache']).toBe('HIT');
  });

  it('keeps a "private" answer per caller only: never on a shared entry', async () => {
    const alice = { authorization: `Bearer ${await issuer.sign({ sub: 'alice' })}` };
    await call('/mine/private', alice);
    expect((await call('/mine/private', alice)).headers['x-cache']).toBe('HIT');
    await call('/catalog/private');
    expect((await call('/catalog/private')).headers['x-cache']).toBe('MISS');
  });

  it('on an optional route, anonymous callers share one entry and a signed-in user has their own', async () => {
    await call('/maybe/x');
    expect((await call('/maybe/x')).headers['x-cache']).toBe('HIT');
    const signedIn = await call('/maybe/x', {
      authorization: `Bearer ${await issuer.sign({ sub: 'carol' })}`,
    });
    expect([signedIn.headers['x-cache'], signedIn.body!.user]).toEqual(['MISS', 'carol']);
  });

  it('does not cache a request with Authorization on a route without auth', async () => {
    for (let i = 0; i < 2; i++) {
      const response = await call('/catalog/with-auth', { authorization: 'Bearer whatever' });
      expect(response.upstreamCalls).toBe(1);
    }
  });
});

describe('response-cache: purges', () => {
  it('a PUT to the resource purges it and its collection; a failed write purges nothing', async () => {
    await call('/catalog/resources/7');
    await call('/catalog/resources');
    expect((await call('/catalog/resources/7')).headers['x-cache']).toBe('HIT');
    expect((await call('/catalog/resources')).headers['x-cache']).toBe('HIT');
    await call('/catalog/resources/7/fail', {}, 'PUT');
    expect((await call('/catalog/resources/7')).headers['x-cache']).toBe('HIT');

    expect((await call('/catalog/resources/7', {}, 'PUT')).status).toBe(200);
    const item = await call('/catalog/resources/7');
    const list = await call('/catalog/resources');
    expect([
      item.headers['x-cache'],
      item.upstreamCalls,
      list.headers['x-cache'],
      list.upstreamCalls,
    ]).toEqual(['MISS', 1, 'MISS', 1]);
    expect((await call('/catalog/resources/7')).headers['x-cache']).toBe('HIT');
  });

  it('the admin listener purges by prefix: DELETE /cache?prefix=', async () => {
    await call('/catalog/admin/a');
    await call('/catalog/admin/b?x=1');
    await call('/catalog/kept');
    const purge = await fetch(`${gateway.adminUrl}/cache?prefix=/catalog/admin`, {
      method: 'DELETE',
      headers: gateway.adminHeaders,
    });
    expect(purge.status).toBe(200);
    expect(((await purge.json()) as { purged: number }).purged).toBe(2);
    expect((await call('/catalog/admin/a')).headers['x-cache']).toBe('MISS');
    expect((await call('/catalog/admin/b?x=1')).headers['x-cache']).toBe('MISS');
    expect((await call('/catalog/kept')).headers['x-cache']).toBe('HIT');
    expect(
      (
        await fetch(`${gateway.adminUrl}/cache?prefix=nope`, {
          method: 'DELETE',
          headers: gateway.adminHeaders,
        })
      ).status,
    ).toBe(400);
    expect((await fetch(`${gateway.url}/cache`, { method: 'DELETE' })).status).toBe(404);
  });
});

describe('response-cache: Cache-Control and validators', () => {
  it("honours the upstream's no-store, max-age=0 and Set-Cookie: nothing kept", async () => {
    for (const path of ['/catalog/no-store', '/catalog/max-age-0', '/catalog/cookie']) {
      await call(path);
      const again = await call(path);
      expect([path, again.headers['x-cache'], again.upstreamCalls]).toEqual([path, 'MISS', 1]);
    }
  });

  it("honours the client's no-store (bypass) and no-cache (fetched afresh, then stored)", async () => {
    await call('/catalog/client-cc');
    const noStore = await call('/catalog/client-cc', { 'cache-control': 'no-store' });
    expect([noStore.headers['x-cache'], noStore.upstreamCalls]).toEqual([undefined, 1]);
    const noCache = await call('/catalog/client-cc', { 'cache-control': 'no-cache' });
    expect([noCache.headers['x-cache'], noCache.upstreamCalls]).toEqual(['MISS', 1]);
    const hit = await call('/catalog/client-cc');
    expect([hit.headers['x-cache'], hit.body!.n]).toEqual(['HIT', noCache.body!.n]);
  });

  it('answers If-None-Match with 304 on a hit and on a miss (the upstream is asked without it)', async () => {
    const miss = await call('/catalog/etag');
    const etag = miss.headers.etag as string;
    const notModified = await call('/catalog/etag', { 'if-none-match': etag });
    expect([
      notModified.status,
      notModified.headers['x-cache'],
      notModified.upstreamCalls,
      notModified.text,
    ]).toEqual([304, 'HIT', 0, '']);
    expect(notModified.headers.etag).toBe(etag);
    expect((await call('/catalog/etag', { 'if-none-match': '"other"' })).status).toBe(200);

    const fresh = await call('/catalog/etag-miss', { 'if-none-match': '"e-unknown"' });
    expect([fresh.status, fresh.headers['x-cache']]).toEqual([200, 'MISS']);
    expect(upstream.seen.at(-1)!.headers['if-none-match']).toBeUndefined();
    const revalidated = await call('/catalog/etag-miss2', { 'if-none-match': '*' });
    expect([revalidated.status, revalidated.headers['x-cache']]).toEqual([304, 'MISS']);
  });

  it('counts hits, misses, stores and purges', async () => {
    const text = await (await fetch(`${gateway.adminUrl}/metrics`)).text();
    expect(text).toMatch(/portico_response_cache_lookups_total\{route="catalog",result="hit"\} [1-9]/);
    expect(text).toMatch(/portico_response_cache_lookups_total\{route="catalog",result="miss"\} [1-9]/);
    expect(text).toMatch(/portico_response_cache_stores_total\{route="catalog",result="no_store"\} [1-9]/);
    expect(text).toMatch(/portico_response_cache_purged_total\{reason="write"\} [1-9]/);
    expect(text).toMatch(/portico_response_cache_purged_total\{reason="admin"\} 2/);
    expect(text).toMatch(/portico_response_cache_entries [1-9]/);
  });
});

const skip = redisSkipReason();
// eslint-disable-next-line no-console -- a skipped Redis suite must be loud
if (skip) console.warn(`plugins/response-cache: ${skip}`);
describe.skipIf(skip)('response-cache in Redis: two gateways share entries', () => {
  let redis: RedisServer;
  let one: TestGateway;
  let two: TestGateway;
  beforeAll(async () => {
    redis = await startRedisServer();
    const config = {
      redis: { url: redis.url },
      upstreams: { api: { url: upstream.url, health: false as const } },
      plugins: [{ name: 'response-cache' }],
      routes: [route('shared', '/shared/{rest*}')],
    };
    [one, two] = await Promise.all([startTestGateway(config), startTestGateway(config)]);
  });
  afterAll(async () => {
    await Promise.all([one?.stop(), two?.stop()]);
    await redis?.stop();
  });

  it('what one gateway stored, the other serves without the upstream; a write through one purges both', async () => {
    const miss = await call('/shared/programs', {}, 'GET', one);
    const hit = await call('/shared/programs', {}, 'GET', two);
    expect([miss.headers['x-cache'], miss.upstreamCalls]).toEqual(['MISS', 1]);
    expect([hit.headers['x-cache'], hit.upstreamCalls, hit.text]).toEqual(['HIT', 0, miss.text]);

    await call('/shared/programs', {}, 'PUT', two);
    const after = await call('/shared/programs', {}, 'GET', one);
    expect([after.headers['x-cache'], after.upstreamCalls]).toEqual(['MISS', 1]);
    expect((await call('/shared/programs', {}, 'GET', two)).headers['x-cache']).toBe('HIT');

    const purge = await fetch(`${one.adminUrl}/cache?prefix=/shared`, {
      method: 'DELETE',
      headers: one.adminHeaders,
    });
    expect(((await purge.json()) as { purged: number }).purged).toBe(1);
    expect((await call('/shared/programs', {}, 'GET', two)).headers['x-cache']).toBe('MISS');
  });
});
