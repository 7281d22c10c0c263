import { describe, expect, it } from 'vitest';
import { createTokenCache } from './tokenCache.ts';
import type { VerifiedToken } from './verifyToken.ts';

const verified = (expiresAt: number): VerifiedToken => ({
  kind: 'jwt',
  sub: 'u',
  userId: 'u',
  issuer: 'http://issuer',
  roles: [],
  scopes: [],
  expiresAt,
  claims: {},
});

describe('createTokenCache', () => {
  it('never answers past the token exp (injected clock)', () => {
    let clock = 1_000_000;
    const cache = createTokenCache({ max: 10, ttl: 3_600_000, now: () => clock });
    cache.set('t', verified(clock + 1000));
    expect(cache.get('t')?.userId).toBe('u');
    clock += 999;
    expect(cache.get('t')).toBeDefined();
    clock += 1;
    expect(cache.get('t')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('never answers past its ttl, even for a long-lived token', () => {
    let clock = 0;
    const cache = createTokenCache({ max: 10, ttl: 60_000, now: () => clock });
    cache.set('t', verified(3_600_000));
    clock = 59_999;
    expect(cache.get('t')).toBeDefined();
    clock = 60_000;
    expect(cache.get('t')).toBeUndefined();
  });

  it('does not store an already expired token', () => {
    const cache = createTokenCache({ max: 10, ttl: 60_000, now: () => 5000 });
    cache.set('t', verified(5000));
    expect(cache.size).toBe(0);
  });

  it('is bounded: the least recently used token leaves first', () => {
    const cache = createTokenCache({ max: 2, ttl: 60_000, now: () => 0 });
    cache.set('a', verified(10_000));
    cache.set('b', verified(10_000));
    cache.get('a');
    cache.set('c', verified(10_000));
    expect(cache.get('a')).toBeDefined();
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('c')).toBeDefined();
    expect(cache.size).toBe(2);
  });

  it('max: 0 turns it off', () => {
    const cache = createTokenCache({ max: 0, ttl: 60_000 });
    cache.set('t', verified(Date.now() + 60_000));
    expect(cache.get('t')).toBeUndefined();
  });

  it('tells tokens apart by their whole content (a hash of the token, not a prefix)', () => {
    const cache = createTokenCache({ max: 10, ttl: 60_000, now: () => 0 });
    cache.set('header.payload.signature-1', verified(10_000));
    expect(cache.get('header.payload.signature-2')).toBeUndefined();
  });

  it('clear() forgets every entry (an issuer stopped publishing a key)', () => {
    const cache = createTokenCache({ max: 10, ttl: 60_000, now: () => 0 });
    cache.set('a', verified(10_000));
    cache.set('b', verified(10_000));
    cache.clear();
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('b')).toBeUndefined();
    expect(cache.size).toBe(0);
  });
});
