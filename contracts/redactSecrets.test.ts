import { describe, expect, it } from 'vitest';
import { REDACTED, redactSecrets } from './redactSecrets.ts';

describe('redactSecrets', () => {
  it('censors secret keys at the top and one and two levels down, whatever their case', () => {
    const line = {
      token: 'tok-1',
      headers: { Authorization: 'Bearer abc', 'set-cookie': ['sid=1'], accept: '*/*' },
      body: { user: { email: 'student@campus.edu', name: 'Ada' }, apiKey: 'pk_1' },
    };
    expect(redactSecrets(line)).toEqual({
      token: REDACTED,
      headers: { Authorization: REDACTED, 'set-cookie': REDACTED, accept: '*/*' },
      body: { user: { email: REDACTED, name: 'Ada' }, apiKey: REDACTED },
    });
  });

  it('never changes the object it was given, and returns it as is when there is nothing to censor', () => {
    const line = { event: 'access', status: 200, nested: { path: '/x' } };
    expect(redactSecrets(line)).toBe(line);
    const secret = { req: { headers: { cookie: 'sid=1' } } };
    const redacted = redactSecrets(secret);
    expect(redacted).not.toBe(secret);
    expect(secret.req.headers.cookie).toBe('sid=1');
    expect(redacted.req.headers.cookie).toBe(REDACTED);
  });

  it('walks arrays as a level, and keeps them arrays', () => {
    const redacted = redactSecrets({ users: [{ email: 'a@b.c' }, { name: 'x' }] });
    expect(Array.isArray(redacted.users)).toBe(true);
    expect(redacted.users).toEqual([{ email: REDACTED }, { name: 'x' }]);
  });

  it('keeps an error readable (message, stack) while censoring its fields', () => {
    const error = Object.assign(new Error('upstream said no'), { headers: { authorization: 'Bearer x' } });
    const { err } = redactSecrets({ err: error });
    expect(err).toBeInstanceOf(Error);
    expect(err.message).toBe('upstream said no');
    expect(err.stack).toBe(error.stack);
    expect(err.headers.authorization).toBe(REDACTED);
    expect(error.headers.authorization).toBe('Bearer x');
  });

  it('leaves absent values and buffers alone', () => {
    const buffer = Buffer.from('password');
    const line = { password: undefined, body: buffer };
    expect(redactSecrets(line)).toBe(line);
  });
});
