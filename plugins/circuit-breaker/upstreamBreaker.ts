// One opossum breaker per upstream. opossum keeps the rolling counts, opens at the error share,
// half-opens after resetTimeout and lets a single probe through; this file adds what the gateway
// needs around it: which errors count, the seconds until the probe (Retry-After), and transitions.
import CircuitBreaker from 'opossum';
import type { BreakerState } from './api.ts';
import { isUpstreamFailure } from './failures.ts';
import type { BreakerSettings } from './schema.ts';

export interface UpstreamBreaker {
  upstream: string;
  state(): BreakerState;
  /** Whole seconds until a call may get through again (at least 1). */
  retryAfterSeconds(): number;
  /** Runs `action` through the breaker; rejects with code EOPENBREAKER while the circuit is open. */
  fire<T>(action: () => Promise<T>): Promise<T>;
  /** An open circuit goes half-open now (its upstream was seen healthy): the next call is the probe. */
  halfOpenNow(): void;
  shutdown(): void;
}

export interface BreakerHooks {
  onTransition(upstream: string, to: BreakerState): void;
  now?: () => number;
}

export function createUpstreamBreaker(
  upstream: string,
  settings: BreakerSettings,
  hooks: BreakerHooks,
): UpstreamBreaker {
  const now = hooks.now ?? Date.now;
  let openedAt = 0;
  const make = (state?: { halfOpen: true }) => {
    const made: CircuitBreaker<[() => Promise<unknown>], unknown> = new CircuitBreaker(
      (action: () => Promise<unknown>) => action(),
      {
        ...options,
        // opossum can start in a given state; it has no call to half-open a running breaker.
        ...(state && {
          state: { ...state, closed: false, open: false, shutdown: false, pendingClose: true },
        }),
      },
    );
    made.on('open', () => {
      openedAt = now();
      hooks.onTransition(upstream, 'open');
    });
    made.on('halfOpen', () => hooks.onTransition(upstream, 'half-open'));
    made.on('close', () => hooks.onTransition(upstream, 'closed'));
    return made;
  };
  const options = {
    name: upstream,
    // The deadline is applied around the exchange (withDeadline), where a late answer can be drained.
    timeout: false as const,
    errorThresholdPercentage: settings.errorThresholdPercentage,
    volumeThreshold: settings.volumeThreshold,
    resetTimeout: settings.resetTimeout,
    rollingCountTimeout: settings.rollingWindow,
    rollingCountBuckets: settings.rollingBuckets,
    rollingPercentilesEnabled: false,
    // true = "not a failure". A client that left is not the upstream's fault, except during the
    // half-open probe: there an unfinished probe proves nothing, so the circuit opens again.
    errorFilter: (error: unknown) => !isUpstreamFailure(error) && !breaker.halfOpen,
  };
  let breaker = make();

  const state = (): BreakerState => (breaker.opened ? 'open' : breaker.halfOpen ? 'half-open' : 'closed');

  return {
    upstream,
    state,
    retryAfterSeconds() {
      // Half-open with its probe in flight: the next decision is one probe away.
      if (state() !== 'open') return 1;
      return Math.max(1, Math.ceil((openedAt + settings.resetTimeout - now()) / 1000));
    },
    fire: <T>(action: () => Promise<T>) => breaker.fire(action) as Promise<T>,
    halfOpenNow() {
      if (!breaker.opened) return;
      breaker.shutdown();
      breaker = make({ halfOpen: true });
      hooks.onTransition(upstream, 'half-open');
    },
    shutdown: () => breaker.shutdown(),
  };
}
