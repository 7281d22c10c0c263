import { describe, expect, it } from 'vitest';
import { apiKeyOptions, apiKeyRouteOptions, createKeyRequest } from './schema.ts';
import { ConfigError, resolveConfig } from '../../testing/index.ts';

describe('api-key options schema', () => {
  it('fills every default, safe for production', () => {
    expect(apiKeyOptions.parse({})).toEqual({
      store: { type: 'auto', path: '.data/api-keys.json', prefix: 'portico:api-keys' },
      acceptOn: 'listed-routes',
      onStoreError: 'unavailable',
    });
  });

  it('has no place for keys in the config: unknown keys are refused', () => {
    expect(apiKeyOptions.safeParse({ keys: [{ key: 'ptk_x' }] }).success).toBe(false);
    expect(apiKeyOptions.safeParse({ onStoreError: 'allow' }).success).toBe(false);
  });

  it('route options: scopes default to none', () => {
    expect(apiKeyRouteOptions.parse({})).toEqual({ scopes: [] });
    expect(apiKeyRouteOptions.safeParse({ scope: 'a' }).success).toBe(false);
  });

  it("a key's rate limit is points per duration seconds, from seconds or a duration string", () => {
    const parse = (rateLimit: unknown) => createKeyRequest.safeParse({ name: 'n', owner: 'o', rateLimit });
    expect(parse({ points: 100, duration: '1m' }).data?.rateLimit).toEqual({ points: 100, duration: 60 });
    expect(parse({ points: 5, duration: 30 }).data?.rateLimit).toEqual({ points: 5, duration: 30 });
    expect(parse({ points: 0, duration: 30 }).success).toBe(false);
    expect(parse({ points: 5, duration: '0s' }).success).toBe(false);
    expect(parse({ points: 5, duration: '1d' }).success).toBe(false);
  });

  it('config errors name the path', async () => {
    try {
      await resolveConfig({
        upstreams: { api: { url: 'http://127.0.0.1:1' } },
        plugins: [{ name: 'api-key', options: { store: { type: 'disk' } } }],
      });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).issues.map(({ path }) => path)).toContain(
        'plugins[0].options.store.type',
      );
    }
  });
});
