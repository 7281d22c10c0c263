// A concurrency-limit algorithm: fed one sample per finished exchange, it says how many exchanges
// may be in flight. Pure and clock-free: the caller measures the round trip.

export interface LimitSample {
  /** Round trip to the upstream's response headers, in ms (> 0). */
  rttMs: number;
  /** Exchanges in flight when this one started, itself included. */
  inflight: number;
  /** The exchange timed out or the upstream shed it (503/429). */
  didDrop: boolean;
}

export interface LimitAlgorithm {
  readonly name: string;
  /** The current limit (whole exchanges, at least 1). */
  readonly limit: number;
  onSample(sample: LimitSample): number;
  /** What the admin route shows about the algorithm's state. */
  describe(): Record<string, number>;
}
