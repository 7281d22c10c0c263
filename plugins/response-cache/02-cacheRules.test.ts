import { describe, expect, it } from 'vitest';
import { callerIdentity } from './callerIdentity.ts';
import { baseKey, entryKey, varyNames, writtenPaths } from './cacheKey.ts';
import { clientWish, noneMatch, storeDecision } from './cacheControl.ts';
import { storedHeaders } from './storedHeaders.ts';

describe('Cache-Control', () => {
  it('upstream: s-maxage over max-age over the route TTL; no-store, no-cache and max-age=0 keep nothing', () => {
    expect(storeDecision('public, max-age=60, s-maxage=30', 300_000, false)).toEqual({
      store: true,
      ttlMs: 30_000,
    });
    expect(storeDecision('max-age=60', 300_000, false)).toEqual({ store: true, ttlMs: 60_000 });
    expect(storeDecision(undefined, 300_000, false)).toEqual({ store: true, ttlMs: 300_000 });
    expect(storeDecision('no-store', 300_000, true)).toEqual({ store: false, reason: 'no-store' });
    expect(storeDecision('no-cache', 300_000, true)).toEqual({ store: false, reason: 'no-cache' });
    expect(storeDecision('max-age=0', 300_000, true)).toEqual({ store: false, reason: 'max-age=0' });
  });

  it('private answers are kept only per caller', () => {
    expect(storeDecision('private, max-age=10', 300_000, false)).toEqual({ store: false, reason: 'private' });
    expect(storeDecision('private, max-age=10', 300_000, true)).toEqual({ store: true, ttlMs: 10_000 });
  });

  it('client: no-store bypasses, no-cache and max-age=0 refresh, max-age=N bounds the age', () => {
    expect(clientWish('no-store')).toEqual({ bypass: true, refresh: false });
    expect(clientWish('no-cache')).toEqual({ bypass: false, refresh: true });
    expect(clientWish('max-age=0')).toEqual({ bypass: false, refresh: true });
    expect(clientWish('max-age=20')).toEqual({ bypass: false, refresh: false, maxAgeMs: 20_000 });
    expect(clientWish(undefined)).toEqual({ bypass: false, refresh: false });
  });

  it('If-None-Match: weak comparison, lists and *', () => {
    expect(noneMatch('"a"', '"a"')).toBe(true);
    expect(noneMatch('W/"a"', '"a"')).toBe(true);
    expect(noneMatch('"b", "a"', 'W/"a"')).toBe(true);
    expect(noneMatch('*', '"x"')).toBe(true);
    expect(noneMatch('"b"', '"a"')).toBe(false);
    expect(noneMatch('"a"', undefined)).toBe(false);
  });
});

describe('keys', () => {
  it('differ by path, query, caller and the values of the Vary headers', () => {
    const base = baseKey('/p', '?a=1', 'anonymous');
    expect(
      new Set([
        base,
        baseKey('/p', '?a=2', 'anonymous'),
        baseKey('/q', '?a=1', 'anonymous'),
        baseKey('/p', '?a=1', 'user::alice'),
      ]).size,
    ).toBe(4);
    const vary = varyNames('Accept-Language, accept-encoding', ['x-tenant'])!;
    expect(vary).toEqual(['accept-encoding', 'accept-language', 'x-tenant']);
    expect(entryKey(base, vary, { 'accept-language': 'en' })).not.toBe(
      entryKey(base, vary, { 'accept-language': 'fr' }),
    );
    expect(entryKey(base, vary, { 'accept-language': 'en', other: 'x' })).toBe(
      entryKey(base, vary, { 'accept-language': 'en' }),
    );
    expect(varyNames('*', [])).toBeUndefined();
  });

  it('callers: users by issuer and sub, keys by id; unknown credential shapes are not cacheable', () => {
    expect(callerIdentity(false, undefined)).toBe('anonymous');
    expect(callerIdentity(true, { sub: 'a', issuer: 'https://idp' })).toBe('user:https://idp:a');
    expect(callerIdentity(true, { kind: 'api-key', keyId: 'key_1' })).toBe('key:key_1');
    expect(callerIdentity(true, { something: 'else' })).toBeUndefined();
  });

  it('a write makes its path and its collection stale', () => {
    expect(writtenPaths('/api/v1/resources/7')).toEqual(['/api/v1/resources/7', '/api/v1/resources']);
    expect(writtenPaths('/api/v1/resources/7/')).toEqual(['/api/v1/resources/7', '/api/v1/resources']);
    expect(writtenPaths('/x')).toEqual(['/x']);
  });

  it('stores the upstream headers without those of one exchange', () => {
    expect(
      storedHeaders({
        etag: '"a"',
        'Content-Type': 'application/json',
        'content-length': '3',
        date: 'd',
        'set-cookie': ['s'],
        ratelimit: 'r',
        'x-request-id': 'i',
        connection: 'close',
      }),
    ).toEqual({ etag: '"a"', 'content-type': 'application/json' });
  });
});
