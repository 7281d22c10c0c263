import { describe, expect, it } from 'vitest';
import { coalesceKey, parseIdempotencyKey, recordKey, requestFingerprint } from './requestKeys.ts';

describe('parseIdempotencyKey', () => {
  it('reads the draft sf-string form and the bare form clients often send', () => {
    expect(parseIdempotencyKey('"8e03978e-40d5-43e8-bc93-6894a57f9324"')).toBe(
      '8e03978e-40d5-43e8-bc93-6894a57f9324',
    );
    expect(parseIdempotencyKey('8e03978e-40d5')).toBe('8e03978e-40d5');
    expect(parseIdempotencyKey('"with \\"quote\\""')).toBe('with "quote"');
  });

  it('refuses empty, over-long, non-ASCII and repeated keys', () => {
    expect(parseIdempotencyKey('')).toBeUndefined();
    expect(parseIdempotencyKey('""')).toBeUndefined();
    expect(parseIdempotencyKey('a'.repeat(256))).toBeUndefined();
    expect(parseIdempotencyKey('clé')).toBeUndefined();
    expect(parseIdempotencyKey('two words')).toBeUndefined();
    expect(parseIdempotencyKey(['a', 'b'])).toBeUndefined();
    expect(parseIdempotencyKey(undefined)).toBeUndefined();
  });
});

describe('keys and fingerprints', () => {
  it('a record key depends on route, caller and key, and holds none of them in clear', () => {
    const key = recordKey('orders', 'user:alice@example.edu', 'k1');
    expect(key).not.toContain('alice');
    expect(recordKey('orders', 'user:bob', 'k1')).not.toBe(key);
    expect(recordKey('payments', 'user:alice@example.edu', 'k1')).not.toBe(key);
    expect(recordKey('orders', 'user:alice@example.edu', 'k1')).toBe(key);
  });

  it('a fingerprint changes with method, target or body', () => {
    const base = requestFingerprint('POST', '/orders', Buffer.from('{"a":1}'));
    expect(requestFingerprint('PATCH', '/orders', Buffer.from('{"a":1}'))).not.toBe(base);
    expect(requestFingerprint('POST', '/orders?x=1', Buffer.from('{"a":1}'))).not.toBe(base);
    expect(requestFingerprint('POST', '/orders', Buffer.from('{"a":2}'))).not.toBe(base);
    // Parts are separated, so moving bytes between them changes the fingerprint.
    expect(requestFingerprint('POST', '/orders{', Buffer.from('"a":1}'))).not.toBe(base);
  });

  it('a coalescing key varies with identity, conditional and configured headers only', () => {
    const key = (headers: Record<string, string>, user?: string) =>
      coalesceKey('r', '/x?q=1', user, headers, ['accept']);
    const base = key({ accept: 'application/json' });
    expect(key({ accept: 'application/json', 'user-agent': 'other' })).toBe(base);
    expect(key({ accept: 'text/html' })).not.toBe(base);
    expect(key({ accept: 'application/json', authorization: 'Bearer t' })).not.toBe(base);
    expect(key({ accept: 'application/json', cookie: 's=1' })).not.toBe(base);
    expect(key({ accept: 'application/json', range: 'bytes=0-1' })).not.toBe(base);
    expect(key({ accept: 'application/json', 'if-none-match': '"e"' })).not.toBe(base);
    expect(key({ accept: 'application/json' }, 'alice')).not.toBe(base);
  });
});
