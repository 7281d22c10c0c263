// The budget and the backoff are pure: driven by an injected clock and random source.
import { describe, expect, it } from 'vitest';
import { backoffDelay, retryAfterMs } from './backoff.ts';
import { createRetryBudget } from './retryBudget.ts';
import { isRetryable } from './retryPolicy.ts';

describe('retry budget', () => {
  it('allows retries up to the ratio of requests in the window', () => {
    let now = 0;
    const budget = createRetryBudget({ ratio: 0.2, window: 10_000, minRetries: 0, now: () => now });
    for (let i = 0; i < 100; i++) budget.recordRequest();
    let granted = 0;
    while (budget.tryRetry()) granted += 1;
    expect(granted).toBe(20);
    now = 1000;
    expect(budget.tryRetry()).toBe(false);
  });

  it('grants minRetries even when traffic is too low for the ratio', () => {
    const budget = createRetryBudget({ ratio: 0.2, window: 10_000, minRetries: 3, now: () => 0 });
    budget.recordRequest();
    expect([budget.tryRetry(), budget.tryRetry(), budget.tryRetry(), budget.tryRetry()]).toEqual([
      true,
      true,
      true,
      false,
    ]);
  });

  it('forgets requests and retries once they slide out of the window', () => {
    let now = 0;
    const budget = createRetryBudget({
      ratio: 0.5,
      window: 1000,
      minRetries: 0,
      buckets: 10,
      now: () => now,
    });
    for (let i = 0; i < 10; i++) budget.recordRequest();
    for (let i = 0; i < 5; i++) expect(budget.tryRetry()).toBe(true);
    expect(budget.tryRetry()).toBe(false);
    now = 950; // still inside the window
    expect(budget.snapshot()).toEqual({ requests: 10, retries: 5 });
    now = 1000; // the first bucket has slid out
    expect(budget.snapshot()).toEqual({ requests: 0, retries: 0 });
    expect(budget.tryRetry()).toBe(false);
    budget.recordRequest();
    budget.recordRequest();
    expect(budget.tryRetry()).toBe(true);
    now = 100_000; // long idle: everything cleared, no stale buckets
    expect(budget.snapshot()).toEqual({ requests: 0, retries: 0 });
  });
});

describe('backoff', () => {
  it('full jitter: a random share of a cap that doubles per retry, up to max', () => {
    expect(backoffDelay(1, 25, 1000, () => 0.999)).toBe(24);
    expect(backoffDelay(2, 25, 1000, () => 0.5)).toBe(25);
    expect(backoffDelay(3, 25, 1000, () => 0.5)).toBe(50);
    expect(backoffDelay(10, 25, 1000, () => 0.5)).toBe(500);
    expect(backoffDelay(3, 25, 1000, () => 0)).toBe(0);
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    expect(retryAfterMs('3')).toBe(3000);
    expect(retryAfterMs(new Date(10_000).toUTCString(), 4000)).toBe(6000);
    expect(retryAfterMs('soon')).toBeUndefined();
    expect(retryAfterMs(undefined)).toBeUndefined();
  });
});

describe('eligibility', () => {
  const policy = { methods: new Set(['GET', 'PUT']), idempotencyKeyHeader: 'idempotency-key' as const };
  it('idempotent methods always; POST only with an Idempotency-Key', () => {
    expect(isRetryable('GET', {}, policy)).toBe(true);
    expect(isRetryable('POST', {}, policy)).toBe(false);
    expect(isRetryable('POST', { 'idempotency-key': 'k' }, policy)).toBe(true);
    expect(isRetryable('POST', { 'idempotency-key': 'k' }, { ...policy, idempotencyKeyHeader: false })).toBe(
      false,
    );
  });
});
