import { describe, expect, it } from 'vitest';
import { retryOptions, settingsFor } from './schema.ts';
import { resolveConfig } from '../../testing/index.ts';

describe('retry options', () => {
  it('defaults: 3 attempts, 502/503/504 and connect errors, a 20% budget, 64 KiB replayable bodies', () => {
    const options = retryOptions.parse({});
    expect(options).toMatchObject({
      maxAttempts: 3,
      statuses: [502, 503, 504],
      backoff: { base: 25, max: 1000 },
      budget: { ratio: 0.2, window: 10_000, minRetries: 10 },
      methods: ['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE'],
      idempotencyKeyHeader: 'idempotency-key',
      maxBodySize: 65_536,
    });
    expect(options.errorCodes).toContain('ECONNREFUSED');
    expect(options.errorCodes).toContain('PORTICO_CONNECT_TIMEOUT');
    expect(options.errorCodes).not.toContain('PORTICO_RESPONSE_TIMEOUT');
  });

  it('an upstream override replaces the fields it names; false turns retries off for it', () => {
    const options = retryOptions.parse({
      upstreams: { a: { maxAttempts: 2, budget: { ratio: 0.1 } }, b: false },
    });
    expect(settingsFor(options, 'a')).toMatchObject({
      maxAttempts: 2,
      budget: { ratio: 0.1, minRetries: 10 },
      statuses: [502, 503, 504],
    });
    expect(settingsFor(options, 'b')).toBe(false);
  });

  it('names the path of a bad value', async () => {
    await expect(
      resolveConfig({ plugins: [{ name: 'retry', options: { maxAttempts: 0 } }] }),
    ).rejects.toThrow(/plugins\[0\]\.options\.maxAttempts/);
    await expect(
      resolveConfig({ plugins: [{ name: 'retry', options: { statuses: [404] } }] }),
    ).rejects.toThrow(/plugins\[0\]\.options\.statuses/);
    await expect(
      resolveConfig({ plugins: [{ name: 'retry', options: { backoff: { base: '2s', max: '1s' } } }] }),
    ).rejects.toThrow(/plugins\[0\]\.options\.backoff\.base: base must not exceed max/);
  });
});
