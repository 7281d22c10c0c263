// Which requests may be sent twice: idempotent methods (RFC 9110 §9.2.2), and others only when the
// client made them idempotent with an Idempotency-Key.

export interface RetryEligibility {
  methods: ReadonlySet<string>;
  idempotencyKeyHeader: string | false;
}

export function isRetryable(
  method: string,
  headers: Record<string, string | string[] | undefined>,
  policy: RetryEligibility,
): boolean {
  if (policy.methods.has(method)) return true;
  return policy.idempotencyKeyHeader !== false && typeof headers[policy.idempotencyKeyHeader] === 'string';
}
