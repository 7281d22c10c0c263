import { describe, expect, it } from 'vitest';
import { changesState, csrfRefusal } from './csrf.ts';
import { clearedCookie, readCookie, sessionCookie } from './cookies.ts';

const allowed = new Set(['http://localhost:8080']);

describe('the CSRF rule', () => {
  it('treats every method but GET, HEAD and OPTIONS as state-changing', () => {
    expect(['POST', 'PUT', 'PATCH', 'DELETE', 'post'].map(changesState)).toEqual([
      true,
      true,
      true,
      true,
      true,
    ]);
    expect(['GET', 'HEAD', 'OPTIONS'].map(changesState)).toEqual([false, false, false]);
  });

  it('passes same-origin Fetch Metadata with X-CSRF: 1, and a listed Origin without Fetch Metadata', () => {
    expect(csrfRefusal({ 'sec-fetch-site': 'same-origin', 'x-csrf': '1' }, allowed)).toBeUndefined();
    expect(csrfRefusal({ origin: 'http://localhost:8080', 'x-csrf': '1' }, allowed)).toBeUndefined();
  });

  it('refuses anything else', () => {
    const refused = [
      { 'sec-fetch-site': 'same-origin' },
      { 'sec-fetch-site': 'same-origin', 'x-csrf': '0' },
      { 'sec-fetch-site': 'same-site', 'x-csrf': '1' },
      { 'sec-fetch-site': 'cross-site', 'x-csrf': '1' },
      { 'sec-fetch-site': 'none', 'x-csrf': '1' },
      // Fetch Metadata wins over a listed Origin: a browser said the request is cross-site.
      { 'sec-fetch-site': 'cross-site', origin: 'http://localhost:8080', 'x-csrf': '1' },
      { 'x-csrf': '1' },
      { origin: 'http://evil.example', 'x-csrf': '1' },
      { origin: 'null', 'x-csrf': '1' },
      { origin: 'http://localhost:8080' },
      { 'sec-fetch-site': ['same-origin', 'same-origin'], 'x-csrf': '1' },
    ];
    for (const headers of refused)
      expect(csrfRefusal(headers, allowed), JSON.stringify(headers)).toBeTypeOf('string');
  });
});

describe('cookies', () => {
  it('writes the session cookie with exactly these attributes', () => {
    expect(sessionCookie('__Host-s', 'abc')).toBe('__Host-s=abc; Path=/; Secure; HttpOnly; SameSite=Strict');
    expect(clearedCookie('__Host-s')).toBe('__Host-s=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0');
  });

  it('reads one cookie from a header, the first of duplicates', () => {
    expect(readCookie('a=1; __Host-s=xyz; b=2', '__Host-s')).toBe('xyz');
    expect(readCookie('__Host-s=first; __Host-s=second', '__Host-s')).toBe('first');
    expect(readCookie(undefined, '__Host-s')).toBeUndefined();
    expect(readCookie('x__Host-s=1', '__Host-s')).toBeUndefined();
  });
});
