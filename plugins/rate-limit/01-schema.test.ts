import { describe, expect, it } from 'vitest';
import { rateLimitOptions, rateLimitRouteOptions } from './schema.ts';
import { resolveConfig, configIssuesOf as issuesOf, MINIMAL_CONFIG as base } from '../../testing/index.ts';

describe('rate-limit options schema', () => {
  it('defaults to the seeds (100/min per user, 1,000/min per IP), Redis when configured, insurance on failure', () => {
    expect(rateLimitOptions.parse({})).toEqual({
      policies: [
        { name: 'user', by: 'user', header: undefined, points: 100, per: 60 },
        { name: 'ip', by: 'ip', header: undefined, points: 1000, per: 60 },
      ],
      store: 'auto',
      onStoreFailure: 'insurance',
      insuranceDivisor: 1,
      storeTimeout: 250,
      keyPrefix: 'portico:rl',
      headers: true,
    });
  });

  it('parses windows in whole seconds and names header policies after their header', () => {
    const { policies } = rateLimitOptions.parse({
      policies: [
        { by: 'header', header: 'X-Tenant', points: 5, per: '1h' },
        { by: 'route', points: 50, per: 10 },
      ],
    });
    expect(policies).toEqual([
      { name: 'header-x-tenant', by: 'header', header: 'x-tenant', points: 5, per: 3600 },
      { name: 'route', by: 'route', header: undefined, points: 50, per: 10 },
    ]);
  });

  it('names the path of a bad policy inside the gateway config', async () => {
    const issues = await issuesOf({
      ...base,
      plugins: [
        { name: 'cors' },
        {
          name: 'rate-limit',
          options: {
            policies: [
              { by: 'header', points: 1, per: '1m' },
              { by: 'ip', points: 0, per: '1m' },
              { by: 'ip', points: 1, per: '500ms' },
              { by: 'cookie', points: 1, per: '1m' },
            ],
          },
        },
      ],
    });
    expect(issues).toEqual(
      expect.arrayContaining([
        'plugins[1].options.policies[0].header: required when by is "header"',
        expect.stringMatching(/^plugins\[1\]\.options\.policies\[1\]\.points: /),
        'plugins[1].options.policies[2].per: expected a window like "1m", "30s" or "1h"',
        expect.stringMatching(/^plugins\[1\]\.options\.policies\[3\]\.by: /),
      ]),
    );
  });

  it('refuses two policies with one name (names label the RateLimit fields and the counters)', async () => {
    const issues = await issuesOf({
      ...base,
      plugins: [
        {
          name: 'rate-limit',
          options: {
            policies: [
              { by: 'ip', points: 1, per: 1 },
              { by: 'ip', points: 2, per: 60 },
            ],
          },
        },
      ],
    });
    expect(issues).toEqual([
      'plugins[0].options.policies[1].name: policy name "ip" is already used by policies[0]; give one of them a name',
    ]);
  });

  it('refuses an unknown onStoreFailure and unknown keys', async () => {
    const issues = await issuesOf({
      ...base,
      plugins: [{ name: 'rate-limit', options: { onStoreFailure: 'panic', point: 3 } }],
    });
    expect(issues).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^plugins\[0\]\.options\.onStoreFailure: /),
        'plugins[0].options.point: unknown key',
      ]),
    );
  });

  it('validates per-route options with the path of the route', async () => {
    const issues = await issuesOf({
      ...base,
      routes: [
        {
          ...base.routes[0],
          plugins: { 'rate-limit': { policies: [{ by: 'user', points: -1, per: '1m' }] } },
        },
      ],
      plugins: [{ name: 'rate-limit' }],
    });
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatch(/^routes\[0\]\.plugins\.rate-limit\.policies\[0\]\.points: /);
  });

  it('accepts false on a route and defaults route options to inherit the global policies', async () => {
    expect(rateLimitRouteOptions.parse({})).toEqual({ policies: [], inherit: true });
    const { config } = await resolveConfig({
      ...base,
      routes: [{ ...base.routes[0], plugins: { 'rate-limit': false } }],
      plugins: [{ name: 'rate-limit' }],
    });
    expect(config.routes[0]!.plugins['rate-limit']).toBe(false);
  });
});
