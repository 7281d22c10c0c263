import { describe, expect, it } from 'vitest';
import { circuitBreakerOptions, settingsFor } from './schema.ts';
import { resolveConfig, startTestGateway } from '../../testing/index.ts';

describe('circuit-breaker options', () => {
  it('has production-safe defaults', () => {
    expect(circuitBreakerOptions.parse({})).toEqual({
      errorThresholdPercentage: 50,
      volumeThreshold: 20,
      resetTimeout: 30_000,
      timeout: false,
      rollingWindow: 10_000,
      rollingBuckets: 10,
      upstreams: {},
    });
  });

  it('merges an upstream override over the plugin-wide values; false means no breaker', () => {
    const options = circuitBreakerOptions.parse({
      resetTimeout: '10s',
      upstreams: { programs: { volumeThreshold: 5, timeout: '2s' }, legacy: false },
    });
    expect(settingsFor(options, 'programs')).toMatchObject({
      volumeThreshold: 5,
      timeout: 2000,
      resetTimeout: 10_000,
    });
    expect(settingsFor(options, 'other')).toMatchObject({ volumeThreshold: 20, timeout: false });
    expect(settingsFor(options, 'legacy')).toBe(false);
  });

  it('names the path of a bad value', async () => {
    await expect(
      resolveConfig({ plugins: [{ name: 'circuit-breaker', options: { errorThresholdPercentage: 150 } }] }),
    ).rejects.toThrow(/plugins\[0\]\.options\.errorThresholdPercentage/);
    await expect(
      resolveConfig({
        plugins: [{ name: 'circuit-breaker', options: { upstreams: { a: { resetTimeout: 'later' } } } }],
      }),
    ).rejects.toThrow(/plugins\[0\]\.options\.upstreams\.a/);
  });

  it('refuses to start with an override for an upstream that does not exist', async () => {
    await expect(
      startTestGateway({
        upstreams: { programs: { url: 'http://127.0.0.1:1', health: false } },
        plugins: [{ name: 'circuit-breaker', options: { upstreams: { progams: { volumeThreshold: 1 } } } }],
      }),
    ).rejects.toThrow(/options\.upstreams\.progams: no upstream named "progams"/);
  });
});
