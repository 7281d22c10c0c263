import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createSessionCipher } from './sessionCipher.ts';

const k1 = { id: 'k1', key: randomBytes(32) };
const k2 = { id: 'k2', key: randomBytes(32) };

describe('session cipher (AES-256-GCM)', () => {
  it('seals to text that does not contain the plain text, and opens it again', () => {
    const cipher = createSessionCipher([k1]);
    const sealed = cipher.seal('{"refreshToken":"secret-value"}', 'bound');
    expect(sealed).not.toContain('secret');
    expect(sealed.split('.')[1]).toBe('k1');
    expect(cipher.open(sealed, 'bound')).toBe('{"refreshToken":"secret-value"}');
  });

  it('rotates: the first key seals, every listed key opens, an unlisted key opens nothing', () => {
    const old = createSessionCipher([k1]).seal('record', 'id');
    const rotated = createSessionCipher([k2, k1]);
    expect(rotated.open(old, 'id')).toBe('record');
    expect(rotated.seal('record', 'id').split('.')[1]).toBe('k2');
    expect(createSessionCipher([k2]).open(old, 'id')).toBeUndefined();
  });

  it('refuses a tampered record and a record moved under another session', () => {
    const cipher = createSessionCipher([k1]);
    const sealed = cipher.seal('record', 'session-a');
    const parts = sealed.split('.');
    const flipped = Buffer.from(parts[4] as string, 'base64url');
    flipped[0] = (flipped[0] as number) ^ 1;
    parts[4] = flipped.toString('base64url');
    expect(cipher.open(parts.join('.'), 'session-a')).toBeUndefined();
    expect(cipher.open(sealed, 'session-b')).toBeUndefined();
    expect(cipher.open('garbage', 'session-a')).toBeUndefined();
  });
});
