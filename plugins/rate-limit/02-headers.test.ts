import { describe, expect, it } from 'vitest';
import { policyTarget, type RequestFacts } from './policyTarget.ts';
import { rateLimitField, rateLimitPolicyField, resetSeconds } from './rateLimitHeaders.ts';
import { rateLimitOptions } from './schema.ts';

describe('RateLimit fields (draft-ietf-httpapi-ratelimit-headers)', () => {
  const states = [
    { policy: 'ip', points: 1000, per: 60, remaining: 998, resetMs: 40_100 },
    { policy: 'user', points: 100, per: 60, remaining: 0, resetMs: 12 },
  ];

  it('lists every policy as a quoted item with q and w', () => {
    expect(rateLimitPolicyField(states)).toBe('"ip";q=1000;w=60, "user";q=100;w=60');
  });

  it('gives remaining (r) and whole seconds to reset (t), never t=0 while a window is open', () => {
    expect(rateLimitField(states)).toBe('"ip";r=998;t=41, "user";r=0;t=1');
    expect(resetSeconds(0)).toBe(1);
    expect(resetSeconds(59_001)).toBe(60);
  });
});

describe('policyTarget', () => {
  const [user, ip] = rateLimitOptions.parse({}).policies;
  const { policies } = rateLimitOptions.parse({
    policies: [
      { by: 'header', header: 'authorization', points: 5, per: 1 },
      { by: 'apiKey', points: 10, per: '1m' },
      { by: 'route', points: 3, per: 1 },
    ],
  });
  const [header, apiKey, route] = policies;
  const facts = (over: Partial<RequestFacts> = {}): RequestFacts => ({
    clientIp: '10.0.0.1',
    routeId: 'programs',
    header: () => undefined,
    credentials: undefined,
    ...over,
  });

  it('keys IP, route and user policies by what they name; a route policy is scoped to its route', () => {
    expect(policyTarget(ip!, facts())?.key).toBe('ip:10.0.0.1');
    expect(policyTarget(ip!, facts(), 'programs')?.key).toBe('route:programs:ip:10.0.0.1');
    expect(policyTarget(route!, facts())?.key).toBe('route:programs');
    expect(policyTarget(user!, facts({ credentials: { sub: 'u-1' } }))?.key).toBe('user:u-1');
  });

  it('does not apply a user or API-key policy to a request without that identity', () => {
    expect(policyTarget(user!, facts())).toBeUndefined();
    expect(policyTarget(user!, facts({ credentials: { keyId: 'k' } }))).toBeUndefined();
    expect(policyTarget(apiKey!, facts({ credentials: { sub: 'u-1' } }))).toBeUndefined();
    expect(policyTarget(header!, facts())).toBeUndefined();
  });

  it('never puts a header value in a key as it is (it may be a secret)', () => {
    const target = policyTarget(header!, facts({ header: () => 'Bearer secret-token' }));
    expect(target?.key).toMatch(/^header-authorization:[A-Za-z0-9_-]{22}$/);
    expect(target?.key).not.toContain('secret');
  });

  it("uses an API key's own quota when the api-key plugin gives one, in either accepted shape", () => {
    expect(policyTarget(apiKey!, facts({ credentials: { keyId: 'k1' } }))).toMatchObject({
      key: 'apiKey:k1',
      points: 10,
      per: 60,
    });
    expect(
      policyTarget(apiKey!, facts({ credentials: { keyId: 'k1', rateLimit: { points: 3, per: '1h' } } })),
    ).toMatchObject({
      points: 3,
      per: 3600,
    });
    expect(
      policyTarget(apiKey!, facts({ credentials: { keyId: 'k1', rateLimit: { points: 7, duration: 30 } } })),
    ).toMatchObject({
      points: 7,
      per: 30,
    });
    // A malformed quota falls back to the policy's numbers instead of admitting without limit.
    expect(
      policyTarget(apiKey!, facts({ credentials: { keyId: 'k1', rateLimit: { points: 'lots' } } })),
    ).toMatchObject({
      points: 10,
    });
  });
});
