import { describe, expect, it } from 'vitest';
import { adaptiveConcurrencyOptions, adaptiveConcurrencyRouteOptions } from './schema.ts';
import { configIssuesOf as issuesOf, MINIMAL_CONFIG as base } from '../../testing/index.ts';

describe('adaptive-concurrency options schema', () => {
  it('defaults to Gradient2 with Netflix-like numbers and event-loop shedding on', () => {
    expect(adaptiveConcurrencyOptions.parse({})).toEqual({
      algorithm: 'gradient2',
      initialLimit: 20,
      minLimit: 5,
      maxLimit: 500,
      smoothing: 0.2,
      tolerance: 1.5,
      longWindow: 600,
      queueSize: 4,
      probeMultiplier: 30,
      criticalHeadroom: 0.25,
      retryAfter: 1,
      criticalPaths: ['/healthz', '/readyz', '/livez', '/*/healthz', '/api/v1/auth/refresh'],
      eventLoop: { maxLag: 500, criticalMaxLag: 2000, interval: 1000 },
    });
    expect(adaptiveConcurrencyOptions.parse({ eventLoop: false }).eventLoop).toBe(false);
    expect(adaptiveConcurrencyRouteOptions.parse({})).toEqual({ critical: false });
  });

  it('names the path of each bad option inside the gateway config', async () => {
    const issues = await issuesOf({
      ...base,
      plugins: [
        {
          name: 'adaptive-concurrency',
          options: {
            algorithm: 'aimd',
            minLimit: 50,
            maxLimit: 10,
            eventLoop: { maxLag: '1s', criticalMaxLag: '100ms' },
          },
        },
      ],
    });
    expect(issues).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^plugins\[0\]\.options\.algorithm: /),
        'plugins[0].options.eventLoop.criticalMaxLag: criticalMaxLag must be at least maxLag (critical requests are shed last)',
      ]),
    );
  });

  it('refuses a minimum limit above the maximum', async () => {
    expect(
      await issuesOf({
        ...base,
        plugins: [{ name: 'adaptive-concurrency', options: { minLimit: 50, maxLimit: 10 } }],
      }),
    ).toEqual(['plugins[0].options.minLimit: minLimit must not exceed maxLimit']);
  });

  it('validates the per-route critical flag', async () => {
    const issues = await issuesOf({
      ...base,
      routes: [{ ...base.routes[0], plugins: { 'adaptive-concurrency': { critical: 'yes' } } }],
      plugins: [{ name: 'adaptive-concurrency' }],
    });
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatch(/^routes\[0\]\.plugins\.adaptive-concurrency\.critical: /);
  });
});
