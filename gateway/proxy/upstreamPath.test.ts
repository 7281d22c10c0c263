import { describe, expect, it } from 'vitest';
import { upstreamPath } from './upstreamPath.ts';

const rewrite = { prefix: '/api/v1/programs', stripPrefix: '/api/v1', basePath: '' };

// Paths as hapi hands them over: already WHATWG-normalized ("..", "%2e%2e" and "\" resolved).
describe('upstreamPath', () => {
  it.each([
    ['/api/v1/programs', '/programs'],
    ['/api/v1/programs/42', '/programs/42'],
    ['/api/v1/programs/a%20b', '/programs/a%20b'],
    ['/api/v1/programs/caf%C3%A9', '/programs/caf%C3%A9'],
  ])('%s → %s', (path, expected) => {
    expect(upstreamPath(path, rewrite)).toEqual({ ok: true, path: expected });
  });

  it.each([
    ['/api/v1/programs/..%2f..%2fappointments', 'encoded slash'],
    ['/api/v1/programs/..%2F..%2Fappointments', 'encoded slash, upper case'],
    ['/api/v1/programs/..%5c..%5cappointments', 'encoded backslash'],
    ['/api/v1/programs/%252e%252e/appointments', 'double-encoded dots'],
    ['/api/v1/programs/%252e%252e%252fappointments', 'double-encoded traversal'],
    ['/api/v1/programs/%2e%2e', 'encoded dot-segment left unresolved'],
    ['/api/v1/programs/x%00y', 'encoded NUL'],
    ['/api/v1/programs/%E0%A4%A', 'malformed percent-encoding'],
    ['/api/v1/programs/a\\..\\b', 'raw backslash'],
    ['/api/v1/programs/../appointments', 'raw dot-segment'],
    ['/api/v1/programsX', 'outside the prefix'],
    ['/api/v1/appointments/1', 'another route'],
  ])('rejects %s (%s)', (path) => {
    expect(upstreamPath(path, rewrite).ok).toBe(false);
  });

  it('puts the upstream base path and addPrefix in front', () => {
    expect(upstreamPath('/api/v1/programs/7', { ...rewrite, addPrefix: '/v2', basePath: '/svc' })).toEqual({
      ok: true,
      path: '/svc/v2/programs/7',
    });
  });
});
