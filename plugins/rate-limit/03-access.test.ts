// A real gateway (ephemeral ports) in front of a real upstream that counts what reaches it.
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  startTestGateway,
  startUpstream,
  type PorticoConfigInput,
  type TestGateway,
  type TestUpstream,
} from '../../testing/index.ts';

const testAuthPlugin = fileURLToPath(new URL('./testing/headerAuthPlugin.ts', import.meta.url));

let upstream: TestUpstream;
let gateway: TestGateway | undefined;

beforeAll(async () => {
  upstream = await startUpstream();
});
afterAll(() => upstream.close());
afterEach(async () => {
  await gateway?.stop();
  gateway = undefined;
  upstream.seen.length = 0;
});

async function start(config: Omit<PorticoConfigInput, 'upstreams'>): Promise<TestGateway> {
  gateway = await startTestGateway({ upstreams: { app: { url: upstream.url, health: false } }, ...config });
  return gateway;
}

async function send(
  path: string,
  count: number,
  headers: (i: number) => Record<string, string> = () => ({}),
) {
  const responses: Response[] = [];
  // One after another: the order of the answers is the order of the counts.
  for (let i = 0; i < count; i++) responses.push(await fetch(gateway!.url + path, { headers: headers(i) }));
  await Promise.all(responses.map((response) => response.arrayBuffer()));
  return responses;
}

const statuses = (responses: Response[]) => responses.map((response) => response.status);

describe('rate-limit: IP policy', () => {
  it('admits the budget, then answers 429 problem+json with Retry-After and the RateLimit fields', async () => {
    await start({
      routes: [{ path: '/api/{rest*}', upstream: 'app' }],
      plugins: [{ name: 'rate-limit', options: { policies: [{ by: 'ip', points: 3, per: '1m' }] } }],
    });
    const responses = await send('/api/x', 5);
    expect(statuses(responses)).toEqual([200, 200, 200, 429, 429]);
    expect(upstream.seen).toHaveLength(3);

    expect(responses.map((response) => response.headers.get('ratelimit-policy'))).toEqual(
      Array(5).fill('"ip";q=3;w=60'),
    );
    expect(
      responses.slice(0, 3).map((response) => response.headers.get('ratelimit')?.split(';t=')[0]),
    ).toEqual(['"ip";r=2', '"ip";r=1', '"ip";r=0']);

    const limited = await fetch(gateway!.url + '/api/x');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(limited.headers.get('ratelimit')).toMatch(/^"ip";r=0;t=\d+$/);
    const body = (await limited.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      status: 429,
      title: 'Too Many Requests',
      detail: 'rate limit "ip" exceeded',
    });
    expect(body['instance']).toBe(limited.headers.get('x-request-id'));
  });

  it('is not evaded by a spoofed X-Forwarded-For when no proxy is trusted (trustedProxies 0)', async () => {
    await start({
      server: { trustedProxies: 0 },
      routes: [{ path: '/api/{rest*}', upstream: 'app' }],
      plugins: [{ name: 'rate-limit', options: { policies: [{ by: 'ip', points: 3, per: '1m' }] } }],
    });
    const responses = await send('/api/x', 6, (i) => ({ 'x-forwarded-for': `203.0.113.${i}` }));
    expect(statuses(responses)).toEqual([200, 200, 200, 429, 429, 429]);
    expect(upstream.seen).toHaveLength(3);
  });

  it('behind one trusted proxy, keys by the address that proxy saw, not by what the client wrote', async () => {
    await start({
      server: { trustedProxies: 1 },
      routes: [{ path: '/api/{rest*}', upstream: 'app' }],
      plugins: [{ name: 'rate-limit', options: { policies: [{ by: 'ip', points: 3, per: '1m' }] } }],
    });
    // The client writes a fresh address each time; the trusted proxy appends the real one (198.51.100.7).
    const spoofing = await send('/api/x', 5, (i) => ({ 'x-forwarded-for': `203.0.113.${i}, 198.51.100.7` }));
    expect(statuses(spoofing)).toEqual([200, 200, 200, 429, 429]);
    // Another real client behind the same proxy has its own budget.
    const other = await send('/api/x', 1, () => ({ 'x-forwarded-for': '198.51.100.8' }));
    expect(statuses(other)).toEqual([200]);
    expect(upstream.seen).toHaveLength(4);
  });
});

describe('rate-limit: per-route options', () => {
  it('false turns limits (and the RateLimit fields) off on a route; other routes keep them', async () => {
    await start({
      routes: [
        { path: '/open/{rest*}', upstream: 'app', plugins: { 'rate-limit': false } },
        { path: '/api/{rest*}', upstream: 'app' },
      ],
      plugins: [{ name: 'rate-limit', options: { policies: [{ by: 'ip', points: 2, per: '1m' }] } }],
    });
    const open = await send('/open/x', 4);
    expect(statuses(open)).toEqual([200, 200, 200, 200]);
    expect(
      open.every(
        (response) => !response.headers.has('ratelimit') && !response.headers.has('ratelimit-policy'),
      ),
    ).toBe(true);
    expect(statuses(await send('/api/x', 3))).toEqual([200, 200, 429]);
  });

  it("a route's own policies are counted for that route only, and inherit: false drops the global ones", async () => {
    await start({
      routes: [
        {
          path: '/tight/{rest*}',
          upstream: 'app',
          plugins: {
            'rate-limit': { policies: [{ name: 'tight', by: 'ip', points: 2, per: '1m' }], inherit: false },
          },
        },
        {
          path: '/both/{rest*}',
          upstream: 'app',
          plugins: { 'rate-limit': { policies: [{ name: 'both', by: 'ip', points: 1, per: '1m' }] } },
        },
        { path: '/api/{rest*}', upstream: 'app' },
      ],
      plugins: [{ name: 'rate-limit', options: { policies: [{ by: 'ip', points: 4, per: '1m' }] } }],
    });
    const tight = await send('/tight/x', 3);
    expect(statuses(tight)).toEqual([200, 200, 429]);
    expect(tight[0]!.headers.get('ratelimit-policy')).toBe('"tight";q=2;w=60');
    // The global budget was not touched by /tight: 4 left.
    const both = await send('/both/x', 2);
    expect(statuses(both)).toEqual([200, 429]);
    expect(both[0]!.headers.get('ratelimit-policy')).toBe('"ip";q=4;w=60, "both";q=1;w=60');
    // /both charged the global budget twice (the 429 counts too): 2 left of 4.
    expect(statuses(await send('/api/x', 3))).toEqual([200, 200, 429]);
  });
});

describe('rate-limit: header, user and API-key policies', () => {
  it('keys a header policy by the header value and leaves requests without it uncounted', async () => {
    await start({
      routes: [{ path: '/api/{rest*}', upstream: 'app' }],
      plugins: [
        {
          name: 'rate-limit',
          options: { policies: [{ by: 'header', header: 'x-tenant', points: 2, per: '1m' }] },
        },
      ],
    });
    expect(statuses(await send('/api/x', 3, () => ({ 'x-tenant': 'a' })))).toEqual([200, 200, 429]);
    expect(statuses(await send('/api/x', 2, () => ({ 'x-tenant': 'b' })))).toEqual([200, 200]);
    const anonymous = await send('/api/x', 3);
    expect(statuses(anonymous)).toEqual([200, 200, 200]);
    expect(anonymous[0]!.headers.has('ratelimit')).toBe(false);
  });

  it('limits each user (sub) after auth, and IP before it', async () => {
    await start({
      routes: [{ path: '/api/{rest*}', upstream: 'app', auth: 'required' }],
      plugins: [
        { module: testAuthPlugin },
        {
          name: 'rate-limit',
          options: {
            policies: [
              { by: 'user', points: 2, per: '1m' },
              { by: 'ip', points: 6, per: '1m' },
            ],
          },
        },
      ],
    });
    const alice = await send('/api/x', 3, () => ({ 'x-test-user': 'alice' }));
    expect(statuses(alice)).toEqual([200, 200, 429]);
    expect(alice[2]!.headers.get('ratelimit-policy')).toBe('"ip";q=6;w=60, "user";q=2;w=60');
    expect(alice[2]!.headers.get('ratelimit')).toMatch(/^"ip";r=3;t=\d+, "user";r=0;t=\d+$/);
    expect(statuses(await send('/api/x', 2, () => ({ 'x-test-user': 'bob' })))).toEqual([200, 200]);
    // IP budget: 5 used by alice and bob; unauthenticated requests are cut before auth once it is spent.
    const anonymous = await send('/api/x', 2);
    expect(statuses(anonymous)).toEqual([401, 429]);
    expect(upstream.seen).toHaveLength(4);
  });

  it("gives an API key its own quota from the credentials, and the policy's numbers otherwise", async () => {
    await start({
      routes: [{ path: '/api/{rest*}', upstream: 'app', auth: 'required' }],
      plugins: [
        { module: testAuthPlugin },
        { name: 'rate-limit', options: { policies: [{ by: 'apiKey', points: 3, per: '1m' }] } },
      ],
    });
    const premium = await send('/api/x', 6, () => ({ 'x-test-key': 'k-premium', 'x-test-key-quota': '5' }));
    expect(statuses(premium)).toEqual([200, 200, 200, 200, 200, 429]);
    expect(premium[0]!.headers.get('ratelimit-policy')).toBe('"apiKey";q=5;w=60');
    const plain = await send('/api/x', 4, () => ({ 'x-test-key': 'k-plain' }));
    expect(statuses(plain)).toEqual([200, 200, 200, 429]);
  });
});
