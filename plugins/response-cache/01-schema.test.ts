import { describe, expect, it } from 'vitest';
import { responseCacheOptions, responseCacheRouteOptions } from './schema.ts';
import { configIssuesOf, MINIMAL_CONFIG } from '../../testing/index.ts';

describe('response-cache options schema', () => {
  it('fills every default: 5 minutes, bounded memory, purge on writes', () => {
    expect(responseCacheOptions.parse({})).toEqual({
      store: 'auto',
      ttl: 300_000,
      maxEntries: 10_000,
      maxBytes: 64 * 1024 * 1024,
      maxEntrySize: 1024 * 1024,
      keyPrefix: 'portico:cache',
      purgeOnWrite: true,
    });
    expect(responseCacheRouteOptions.parse({})).toEqual({ vary: [] });
    expect(responseCacheRouteOptions.parse({ ttl: '30s', vary: ['Accept-Language'] })).toEqual({
      ttl: 30_000,
      vary: ['accept-language'],
    });
  });

  it('config errors name the path', async () => {
    const options = await configIssuesOf({
      ...MINIMAL_CONFIG,
      plugins: [{ name: 'response-cache', options: { store: 'disk' } }],
    });
    expect(options.some((issue) => issue.startsWith('plugins[0].options.store'))).toBe(true);
    const route = await configIssuesOf({
      ...MINIMAL_CONFIG,
      plugins: [{ name: 'response-cache' }],
      routes: [{ ...MINIMAL_CONFIG.routes[0], plugins: { 'response-cache': { ttl: 'soon' } } }],
    });
    expect(route.some((issue) => issue.startsWith('routes[0].plugins.response-cache.ttl'))).toBe(true);
  });
});
