// An API key's plan as the rate-limit plugin applies it: the calendar month of the quota and the
// targets a key adds (pure), then through a real gateway: the quota in the RateLimit fields, 429
// with Retry-After to the month's end, and a key's own limit without any apiKey policy.
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { keyPlanTargets, quotaMonth } from './keyPlan.ts';
import { startTestGateway, startUpstream, type TestGateway, type TestUpstream } from '../../testing/index.ts';

describe('key plan targets', () => {
  it('counts a quota per calendar month (UTC): its id, length and end', () => {
    expect(quotaMonth(Date.UTC(2027, 1, 14, 12))).toEqual({
      id: '2027-02',
      seconds: 28 * 86_400,
      endMs: Date.UTC(2027, 2, 1),
    });
    expect(quotaMonth(Date.UTC(2028, 1, 29, 23, 59))).toMatchObject({ id: '2028-02', seconds: 29 * 86_400 });
    expect(quotaMonth(Date.UTC(2027, 11, 31, 23, 59, 59))).toEqual({
      id: '2027-12',
      seconds: 31 * 86_400,
      endMs: Date.UTC(2028, 0, 1),
    });
  });

  it("adds the monthly quota, and the key's own limit only where no apiKey policy takes it", () => {
    const now = Date.UTC(2027, 5, 10);
    const credentials = { keyId: 'k1', rateLimit: { points: 5, duration: 60 }, monthlyQuota: 1000 };
    expect(keyPlanTargets(credentials, false, now)).toEqual([
      { policy: 'apiKey', key: 'apiKey:k1', points: 5, per: 60 },
      {
        policy: 'monthly',
        key: 'monthly:k1:2027-06',
        points: 1000,
        per: 30 * 86_400,
        resetAtMs: Date.UTC(2027, 6, 1),
      },
    ]);
    expect(keyPlanTargets(credentials, true, now).map(({ policy }) => policy)).toEqual(['monthly']);
    expect(keyPlanTargets({ keyId: 'k1', monthlyQuota: 0 }, false, now)).toEqual([]);
    expect(keyPlanTargets({ sub: 'user', monthlyQuota: 10 }, false, now)).toEqual([]);
    expect(keyPlanTargets(undefined, false, now)).toEqual([]);
  });
});

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
});

async function send(count: number, headers: Record<string, string>) {
  const responses: Response[] = [];
  for (let i = 0; i < count; i++) {
    const response = await fetch(`${gateway!.url}/api/x`, { headers });
    await response.arrayBuffer();
    responses.push(response);
  }
  return responses;
}

describe('rate-limit: an API key plan through a gateway', () => {
  it('shows the monthly quota in the RateLimit fields and answers 429 until the month ends', async () => {
    gateway = await startTestGateway({
      upstreams: { app: { url: upstream.url, health: false } },
      routes: [{ path: '/api/{rest*}', upstream: 'app', auth: 'required' }],
      plugins: [
        { module: testAuthPlugin },
        { name: 'rate-limit', options: { policies: [{ by: 'ip', points: 100, per: '1m' }] } },
      ],
    });
    const before = upstream.seen.length;
    const responses = await send(4, { 'x-test-key': 'k-monthly', 'x-test-key-monthly': '3' });
    expect(responses.map(({ status }) => status)).toEqual([200, 200, 200, 429]);
    expect(upstream.seen.length - before).toBe(3);
    const month = quotaMonth(Date.now());
    expect(responses[0]!.headers.get('ratelimit-policy')).toBe(
      `"ip";q=100;w=60, "monthly";q=3;w=${month.seconds}`,
    );
    expect(
      responses.map((response) => /"monthly";r=(\d+)/.exec(response.headers.get('ratelimit') ?? '')?.[1]),
    ).toEqual(['2', '1', '0', '0']);
    const secondsLeft = Math.ceil((month.endMs - Date.now()) / 1000);
    const reset = Number(/"monthly";r=\d+;t=(\d+)/.exec(responses[3]!.headers.get('ratelimit')!)![1]);
    const retryAfter = Number(responses[3]!.headers.get('retry-after'));
    // Both point at the month's end (seconds to it, as counted a moment earlier).
    for (const seconds of [reset, retryAfter]) {
      expect(seconds).toBeLessThanOrEqual(secondsLeft + 1);
      expect(seconds).toBeGreaterThan(secondsLeft - 60);
    }
    expect(
      await (
        await fetch(`${gateway.url}/api/x`, {
          headers: { 'x-test-key': 'k-other', 'x-test-key-monthly': '3' },
        })
      ).status,
    ).toBe(200);
  });

  it('a request another limit refuses does not use up the monthly quota', async () => {
    gateway = await startTestGateway({
      upstreams: { app: { url: upstream.url, health: false } },
      routes: [{ path: '/api/{rest*}', upstream: 'app', auth: 'required' }],
      plugins: [
        { module: testAuthPlugin },
        {
          name: 'rate-limit',
          options: { policies: [{ name: 'budget', by: 'header', header: 'x-budget', points: 2, per: '1m' }] },
        },
      ],
    });
    const key = { 'x-test-key': 'k-fair', 'x-test-key-monthly': '10' };
    const first = await send(3, { ...key, 'x-budget': 'a' });
    expect(first.map(({ status }) => status)).toEqual([200, 200, 429]);
    const monthlyLeft = (response: Response) =>
      /"monthly";r=(\d+)/.exec(response.headers.get('ratelimit') ?? '')?.[1];
    expect(first.map(monthlyLeft)).toEqual(['9', '8', undefined]);
    const [next] = await send(1, { ...key, 'x-budget': 'b' });
    expect([next!.status, monthlyLeft(next!)]).toEqual([200, '7']);
  });

  it("applies a key's own limit when no apiKey policy is configured; rate-limit: false on a route turns the plan off too", async () => {
    gateway = await startTestGateway({
      upstreams: { app: { url: upstream.url, health: false } },
      routes: [
        { path: '/api/{rest*}', upstream: 'app', auth: 'required' },
        { path: '/free/{rest*}', upstream: 'app', auth: 'required', plugins: { 'rate-limit': false } },
      ],
      plugins: [{ module: testAuthPlugin }, { name: 'rate-limit', options: { policies: [] } }],
    });
    const responses = await send(3, { 'x-test-key': 'k-own', 'x-test-key-quota': '2' });
    expect(responses.map(({ status }) => status)).toEqual([200, 200, 429]);
    expect(responses[0]!.headers.get('ratelimit-policy')).toBe('"apiKey";q=2;w=60');
    for (let i = 0; i < 3; i++) {
      const free = await fetch(`${gateway.url}/free/x`, {
        headers: { 'x-test-key': 'k-own', 'x-test-key-quota': '2' },
      });
      expect(free.status).toBe(200);
      expect(free.headers.get('ratelimit-policy')).toBeNull();
    }
  });
});
