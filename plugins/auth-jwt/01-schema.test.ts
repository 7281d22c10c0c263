import { describe, expect, it } from 'vitest';
import { authJwtOptions, authJwtRouteOptions } from './schema.ts';
import { ConfigError, resolveConfig } from '../../testing/index.ts';

const issuer = { issuer: 'http://127.0.0.1:7101', audiences: ['portico'] };

async function configIssues(raw: unknown): Promise<string[]> {
  try {
    await resolveConfig(raw);
  } catch (error) {
    if (error instanceof ConfigError) return error.issues.map(({ path, message }) => `${path}: ${message}`);
    throw error;
  }
  return [];
}

describe('auth-jwt options schema', () => {
  it('fills every default, safe for production', () => {
    const options = authJwtOptions.parse({ issuers: [issuer] });
    expect(options.issuers[0]).toMatchObject({
      algorithms: ['RS256', 'PS256', 'ES256', 'EdDSA'],
      requiredClaims: [],
      rolesClaim: 'roles',
      scopesClaim: 'scope',
    });
    expect(options.issuers[0]!.jwksUri).toBeUndefined();
    expect(options.clockSkew).toBe(30_000);
    expect(options.maxTokenSize).toBe(8192);
    expect(options.jwks).toEqual({
      cooldown: 1000,
      refreshInterval: 300_000,
      timeout: 5000,
      failureBackoff: 5000,
    });
    expect(options.cache).toEqual({ max: 10_000, ttl: 300_000 });
  });

  it('refuses HMAC and "none" algorithms: only asymmetric ones exist', () => {
    for (const algorithm of ['HS256', 'HS512', 'none']) {
      const result = authJwtOptions.safeParse({ issuers: [{ ...issuer, algorithms: [algorithm] }] });
      expect(result.success, algorithm).toBe(false);
    }
  });

  it('requires at least one issuer and, for each, at least one audience', () => {
    expect(authJwtOptions.safeParse({ issuers: [] }).success).toBe(false);
    expect(authJwtOptions.safeParse({}).success).toBe(false);
    expect(authJwtOptions.safeParse({ issuers: [{ issuer: issuer.issuer, audiences: [] }] }).success).toBe(
      false,
    );
  });

  it('refuses unknown keys, non-URL issuers and the same issuer twice', () => {
    expect(authJwtOptions.safeParse({ issuers: [{ ...issuer, secret: 'x' }] }).success).toBe(false);
    expect(authJwtOptions.safeParse({ issuers: [{ ...issuer, issuer: 'identity' }] }).success).toBe(false);
    const twice = authJwtOptions.safeParse({ issuers: [issuer, issuer] });
    expect(twice.success).toBe(false);
    expect(twice.error?.issues[0]?.path).toEqual(['issuers', 1, 'issuer']);
  });

  it('accepts cache: { max: 0 } (cache off) and durations as strings or milliseconds', () => {
    const options = authJwtOptions.parse({
      issuers: [issuer],
      cache: { max: 0 },
      clockSkew: '10s',
      jwks: { cooldown: 0 },
    });
    expect(options.cache.max).toBe(0);
    expect(options.clockSkew).toBe(10_000);
    expect(options.jwks.cooldown).toBe(0);
  });

  it('route options: scopes and roles default to none; unknown keys are refused', () => {
    expect(authJwtRouteOptions.parse({})).toEqual({ scopes: [], roles: [] });
    expect(authJwtRouteOptions.parse({ roles: ['staff'], issuers: ['http://a'] })).toEqual({
      scopes: [],
      roles: ['staff'],
      issuers: ['http://a'],
    });
    expect(authJwtRouteOptions.safeParse({ role: 'staff' }).success).toBe(false);
  });

  it('config errors name the path in the ops config', async () => {
    const issues = await configIssues({
      upstreams: { appointments: { url: 'http://127.0.0.1:7103' } },
      plugins: [
        {
          name: 'auth-jwt',
          options: { issuers: [{ issuer: issuer.issuer, audiences: ['portico'], algorithms: ['HS256'] }] },
        },
      ],
      routes: [
        {
          path: '/a/{rest*}',
          upstream: 'appointments',
          auth: 'required',
          plugins: { 'auth-jwt': { roles: 'staff' } },
        },
      ],
    });
    expect(issues.some((issue) => issue.startsWith('plugins[0].options.issuers[0].algorithms[0]'))).toBe(
      true,
    );
    // Route options are checked only once the plugin itself validates; fix the plugin and see the route's error.
    const routeIssues = await configIssues({
      upstreams: { appointments: { url: 'http://127.0.0.1:7103' } },
      plugins: [{ name: 'auth-jwt', options: { issuers: [issuer] } }],
      routes: [
        {
          path: '/a/{rest*}',
          upstream: 'appointments',
          auth: 'required',
          plugins: { 'auth-jwt': { roles: 'staff' } },
        },
      ],
    });
    expect(routeIssues.some((issue) => issue.startsWith('routes[0].plugins.auth-jwt.roles'))).toBe(true);
  });
});
