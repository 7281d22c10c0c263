// A retry budget as Finagle's RetryBudget and Envoy's retry_budget: over a sliding window, retries
// may be at most `ratio` of the requests (never fewer than `minRetries`), so when an upstream fails
// outright the gateway adds at most that share of extra load instead of multiplying it.

export interface RetryBudgetSettings {
  ratio: number;
  /** Window length in ms. */
  window: number;
  minRetries: number;
  /** The window slides in this many steps. */
  buckets?: number;
  now?: () => number;
}

export interface RetryBudget {
  /** Counts a request (its first attempt). */
  recordRequest(): void;
  /** Takes one retry from the budget; false when the budget is spent. */
  tryRetry(): boolean;
  /** Requests and retries in the current window. */
  snapshot(): { requests: number; retries: number };
}

export function createRetryBudget(settings: RetryBudgetSettings): RetryBudget {
  const buckets = settings.buckets ?? 10;
  const now = settings.now ?? Date.now;
  const bucketLength = Math.max(1, settings.window / buckets);
  const requests = new Array<number>(buckets).fill(0);
  const retries = new Array<number>(buckets).fill(0);
  let epoch = Math.floor(now() / bucketLength);

  // Clears the buckets the window has slid past since the last call.
  const slide = (): number => {
    const current = Math.floor(now() / bucketLength);
    const steps = Math.min(buckets, current - epoch);
    for (let step = 1; step <= steps; step++) {
      const index = (epoch + step) % buckets;
      requests[index] = 0;
      retries[index] = 0;
    }
    if (current > epoch) epoch = current;
    return epoch % buckets;
  };
  const sum = (counts: number[]) => counts.reduce((total, count) => total + count, 0);

  return {
    recordRequest() {
      requests[slide()]! += 1;
    },
    tryRetry() {
      const index = slide();
      const allowed = Math.max(settings.minRetries, Math.floor(settings.ratio * sum(requests)));
      if (sum(retries) >= allowed) return false;
      retries[index]! += 1;
      return true;
    },
    snapshot() {
      slide();
      return { requests: sum(requests), retries: sum(retries) };
    },
  };
}
