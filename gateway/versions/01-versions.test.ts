// The pure parts of the history, without a server: the canonical form and its hash, what a
// version carries (no instance-local keys), references, and the diff's key paths.
import { describe, expect, it } from 'vitest';
import { isReferenceOnly, resolveReferences } from '../config/resolveReferences.ts';
import { canonicalJson, configHash } from './canonicalJson.ts';
import { diffDocuments } from './diffDocuments.ts';
import { sharedDocument, withLocalKeys } from './instanceLocal.ts';

describe('canonical form and hash', () => {
  it('the same content in any key order has one form and one SHA-256', () => {
    const a = {
      routes: [{ path: '/a', upstream: 'x' }],
      upstreams: { x: { url: 'http://x', timeout: '5s' } },
    };
    const b = {
      upstreams: { x: { timeout: '5s', url: 'http://x' } },
      routes: [{ upstream: 'x', path: '/a' }],
    };
    expect(canonicalJson(a)).toBe(canonicalJson(b));
    expect(configHash(a)).toBe(configHash(b));
    expect(configHash(a)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('array order and values count', () => {
    expect(configHash({ a: [1, 2] })).not.toBe(configHash({ a: [2, 1] }));
    expect(configHash({ a: '1' })).not.toBe(configHash({ a: 1 }));
  });
});

describe('instance-local keys', () => {
  const document = {
    server: { port: 8080, host: '0.0.0.0', admin: { port: 9901 }, limits: {}, drain: { delay: '1s' } },
    redis: { url: 'redis://r:6379' },
    versions: { store: 'redis' },
    routes: [],
  };

  it('a version carries the rest of the document, and says which it left out', () => {
    expect(sharedDocument(document)).toEqual({
      shared: { server: { drain: { delay: '1s' } }, routes: [] },
      ignored: ['server.host', 'server.port', 'server.admin', 'server.limits', 'redis', 'versions'],
    });
    expect(sharedDocument({ server: { port: 1 } }).shared).toEqual({});
  });

  it("an instance applies it with its own local keys, whatever the version's author had", () => {
    const mine = { server: { port: 7000, admin: { port: 7001 } }, redis: { url: 'redis://mine' } };
    expect(withLocalKeys(sharedDocument(document).shared, mine)).toEqual({
      server: { drain: { delay: '1s' }, port: 7000, admin: { port: 7001 } },
      routes: [],
      redis: { url: 'redis://mine' },
    });
  });
});

describe('references', () => {
  const env = { TOKEN: 's3cret', EMPTY: '' };

  it('are resolved anywhere in a string; $${...} stays literal', () => {
    const { value, issues } = resolveReferences(
      { a: '${env:TOKEN}', b: ['redis://:${env:TOKEN}@h:6379'], c: '$${env:TOKEN}', d: '${env:EMPTY}' },
      { baseDir: '/', env },
    );
    expect(issues).toEqual([]);
    expect(value).toEqual({ a: 's3cret', b: ['redis://:s3cret@h:6379'], c: '${env:TOKEN}', d: '' });
  });

  it('an unset variable or an unreadable file is an issue at the key path', () => {
    const { issues } = resolveReferences(
      { plugins: [{ options: { secret: '${env:NOPE}', key: '${file:missing.pem}' } }] },
      { baseDir: '/nonexistent-dir', env },
    );
    expect(issues).toEqual([
      { path: 'plugins[0].options.secret', message: '${env:NOPE}: the environment variable NOPE is not set' },
      {
        path: 'plugins[0].options.key',
        message: '${file:missing.pem}: cannot read /nonexistent-dir/missing.pem (ENOENT)',
      },
    ]);
  });

  it('tells a reference-only value (safe to show) from a literal', () => {
    expect(isReferenceOnly('${env:A}')).toBe(true);
    expect(isReferenceOnly('${env:A}${file:b}')).toBe(true);
    expect(isReferenceOnly('literal')).toBe(false);
    expect(isReferenceOnly('x${env:A}')).toBe(false);
    expect(isReferenceOnly('$${env:A}')).toBe(false);
  });
});

describe('diff', () => {
  it('names each change by key path; secret values redacted unless they are references', () => {
    const from = {
      routes: [{ path: '/a' }],
      plugins: [{ options: { clientSecret: 'old', token: '${env:T}' } }],
    };
    const to = {
      routes: [{ path: '/b' }, { path: '/c' }],
      plugins: [{ options: { clientSecret: 'new', token: '${env:U}' } }],
    };
    expect(diffDocuments(from, to)).toEqual([
      { path: 'plugins[0].options.clientSecret', change: 'changed', from: '[redacted]', to: '[redacted]' },
      { path: 'plugins[0].options.token', change: 'changed', from: '${env:T}', to: '${env:U}' },
      { path: 'routes[0].path', change: 'changed', from: '/a', to: '/b' },
      { path: 'routes[1]', change: 'added', to: { path: '/c' } },
    ]);
    expect(diffDocuments(from, from)).toEqual([]);
  });
});
