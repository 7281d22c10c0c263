import { describe, expect, it } from 'vitest';
import { dedupOptions, dedupRouteOptions, routeSettings } from './schema.ts';
import { resolveConfig } from '../../testing/index.ts';

describe('dedup options', () => {
  it('has safe defaults for every option', () => {
    const options = dedupOptions.parse({});
    expect(options.idempotency).toMatchObject({
      enabled: true,
      methods: ['POST', 'PATCH'],
      header: 'idempotency-key',
      required: false,
      ttl: 24 * 3_600_000,
      maxBodySize: 1024 ** 2,
      maxResponseSize: 1024 ** 2,
      onInFlight: 'wait',
      waitTimeout: 30_000,
      lockTtl: 120_000,
    });
    expect(options.coalesce).toMatchObject({
      enabled: true,
      varyHeaders: ['accept', 'accept-encoding', 'accept-language'],
    });
    expect(options).toMatchObject({ store: 'auto', onStoreFailure: 'reject', storeTimeout: 1000 });
  });

  it('parses durations and sizes as ops write them', () => {
    const options = dedupOptions.parse({
      idempotency: { ttl: '10m', maxBodySize: '64kb' },
      coalesce: { maxResponseSize: 2048 },
    });
    expect(options.idempotency.ttl).toBe(600_000);
    expect(options.idempotency.maxBodySize).toBe(65_536);
    expect(options.coalesce.maxResponseSize).toBe(2048);
  });

  it('rejects unknown keys and bad values with the path named', async () => {
    await expect(
      resolveConfig({ plugins: [{ name: 'dedup', options: { idempotency: { onInFlight: 'queue' } } }] }),
    ).rejects.toThrow(/plugins\[0\]\.options\.idempotency\.onInFlight/);
    await expect(
      resolveConfig({ plugins: [{ name: 'dedup', options: { idempotency: { ttl: 'soon' } } }] }),
    ).rejects.toThrow(/plugins\[0\]\.options\.idempotency\.ttl/);
    await expect(resolveConfig({ plugins: [{ name: 'dedup', options: { lock: true } }] })).rejects.toThrow(
      /plugins\[0\]\.options/,
    );
  });

  it('validates per-route options and names the route path', async () => {
    await expect(
      resolveConfig({
        upstreams: { svc: { url: 'http://127.0.0.1:1' } },
        routes: [{ path: '/x', upstream: 'svc', plugins: { dedup: { idempotency: { methods: ['GET'] } } } }],
        plugins: [{ name: 'dedup' }],
      }),
    ).rejects.toThrow(/routes\[0\]\.plugins\.dedup\.idempotency.*"POST"/);
  });

  it('merges a route over the plugin-wide settings, and lets a route turn a part off or on', () => {
    const options = dedupOptions.parse({ coalesce: { enabled: false } });
    const route = dedupRouteOptions.parse({
      idempotency: { required: true, onInFlight: 'reject' },
      coalesce: {},
    });
    const merged = routeSettings(options, route);
    expect(merged.idempotency).toMatchObject({
      required: true,
      onInFlight: 'reject',
      methods: ['POST', 'PATCH'],
    });
    expect(merged.coalesce).toBeDefined();
    expect(routeSettings(options, undefined).coalesce).toBeUndefined();
    expect(routeSettings(dedupOptions.parse({}), { idempotency: false }).idempotency).toBeUndefined();
  });
});
