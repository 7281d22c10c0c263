// What the circuit-breaker plugin offers other plugins (a BFF serving stale data) through
// `server.plugins['circuit-breaker']`, so they need none of its internals.
import type { Request } from '@hapi/hapi';

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface FallbackContext {
  upstream: string;
  /** `open`: the circuit refused the call; `failure`: the exchange failed without an answer. */
  reason: 'open' | 'failure';
  error: Error;
  /** The proxied request, when the fallback answers a proxied route. */
  request?: Request;
}

/** An answer a fallback gives in the upstream's place. */
export interface FallbackResponse {
  status?: number;
  headers?: Record<string, string>;
  /** A string or Buffer is sent as is; anything else as JSON. */
  body: unknown;
}

/** Returns the answer to send, or undefined to let the error through (503 while open, 502/504 on failure). */
export type FallbackHandler = (
  context: FallbackContext,
) => FallbackResponse | undefined | Promise<FallbackResponse | undefined>;

export interface CircuitBreakerApi {
  /** Sets the fallback of `upstream`'s proxied routes (one per upstream; a later call replaces it). */
  fallback(upstream: string, handler: FallbackHandler): void;
  /**
   * Runs `action` (a BFF's call to a service) through `upstream`'s breaker: a rejection counts as
   * a failure; while the circuit is open it rejects at once with a 503 Boom carrying Retry-After
   * and `data: { upstream, state }`. Without a breaker for `upstream` it just runs `action`.
   */
  run<T>(upstream: string, action: () => Promise<T>): Promise<T>;
  /** The state of `upstream`'s circuit; undefined when it has no breaker. */
  state(upstream: string): BreakerState | undefined;
}

declare module '@hapi/hapi' {
  interface PluginProperties {
    'circuit-breaker': CircuitBreakerApi;
  }
}
