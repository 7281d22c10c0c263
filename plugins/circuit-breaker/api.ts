// What the circuit-breaker plugin offers other plugins (a BFF serving stale data) through
// `server.plugins['circuit-breaker']`, so they need none of its internals.
import type { UpstreamExchange } from '../../contracts/upstream.ts';

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface FallbackContext {
  upstream: string;
  /** `open`: the circuit refused the call; `failure`: the exchange failed without an answer. */
  reason: 'open' | 'failure';
  error: Error;
  /** The exchange the fallback answers: a proxied request's or a handler's call. */
  exchange: UpstreamExchange;
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
  /**
   * Sets the fallback of `upstream` (one per upstream; a later call replaces it): it answers the
   * exchanges of every route to that upstream, proxied or made by a handler's upstream client.
   */
  fallback(upstream: string, handler: FallbackHandler): void;
  /** The state of `upstream`'s circuit; undefined when it has no breaker. */
  state(upstream: string): BreakerState | undefined;
}

declare module '@hapi/hapi' {
  interface PluginProperties {
    'circuit-breaker': CircuitBreakerApi;
  }
}
