// The IETF RateLimit header fields, draft-ietf-httpapi-ratelimit-headers, in the form since -08 (latest: -11):
//   RateLimit-Policy: "ip";q=1000;w=60, "user";q=100;w=60     (the quota policies)
//   RateLimit: "ip";r=998;t=41, "user";r=99;t=41              (remaining quota and seconds to reset)
// Both are Structured Field Lists; a policy name is a String item.

export interface PolicyState {
  policy: string;
  /** Quota in the window. */
  points: number;
  /** Window, in seconds. */
  per: number;
  remaining: number;
  resetMs: number;
}

export function rateLimitPolicyField(states: readonly PolicyState[]): string {
  return states.map((state) => `${sfString(state.policy)};q=${state.points};w=${state.per}`).join(', ');
}

export function rateLimitField(states: readonly PolicyState[]): string {
  return states
    .map(
      (state) =>
        `${sfString(state.policy)};r=${Math.max(0, state.remaining)};t=${resetSeconds(state.resetMs)}`,
    )
    .join(', ');
}

/** Whole seconds until the window resets, never 0 while a limit holds (Retry-After uses the same rule). */
export function resetSeconds(resetMs: number): number {
  return Math.max(1, Math.ceil(resetMs / 1000));
}

function sfString(value: string): string {
  return `"${value.replace(/[\\"]/g, (char) => `\\${char}`)}"`;
}
