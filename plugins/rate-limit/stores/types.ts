// What the plugin needs of a counter store: one consume per request and policy, nothing more.

export type ConsumeOutcome =
  | { kind: 'allowed' | 'limited'; remaining: number; resetMs: number; fromInsurance: boolean }
  | { kind: 'store-failure'; error: unknown };

export interface LimiterStore {
  /** Where counters live: "memory" or "redis". */
  readonly kind: 'memory' | 'redis';
  /** Counts one request against `key` in a window of `points` per `perSeconds`. Never rejects. */
  consume(key: string, points: number, perSeconds: number): Promise<ConsumeOutcome>;
  /** Counts one request against `key` in a window that ends at `resetAtMs` (epoch ms) for everyone. Never rejects. */
  consumeUntil(key: string, points: number, resetAtMs: number): Promise<ConsumeOutcome>;
}
