import { describe, expect, it } from 'vitest';
import { passwordWeakness } from './passwordPolicy.ts';
import { createPasswordHasher } from './passwordHash.ts';

describe('passwordWeakness', () => {
  it('accepts a long passphrase', () => {
    expect(passwordWeakness('correct horse battery', 'sam@campus.edu')).toBeUndefined();
  });

  it('says why a password is weak', () => {
    expect(passwordWeakness('short1!')).toMatch(/at least 10/);
    expect(passwordWeakness('x'.repeat(129))).toMatch(/at most 128/);
    expect(passwordWeakness('Password123')).toMatch(/commonly used/);
    expect(passwordWeakness('aaaaabbbbbaaaaa')).toMatch(/distinct/);
    expect(passwordWeakness('jordan-rocks-2026', 'jordan@campus.edu')).toMatch(/email/);
  });
});

describe('password hashing', () => {
  it('verifies the right password only, across cost settings', async () => {
    const cheap = createPasswordHasher(10);
    const stored = await cheap.hash('correct horse battery');
    expect(stored).toMatch(/^scrypt\$1024\$8\$1\$/);
    const other = createPasswordHasher(11);
    expect(await other.verify('correct horse battery', stored)).toBe(true);
    expect(await other.verify('correct horse batterY', stored)).toBe(false);
    expect(await other.verify('anything', other.dummyHash)).toBe(false);
    expect(await other.verify('anything', 'md5$abc')).toBe(false);
  });
});
