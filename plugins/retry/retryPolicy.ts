// Which requests may be sent twice: idempotent methods (RFC 9110 §9.2.2), and others only when the
// client made them idempotent with an Idempotency-Key.
import type { IncomingHttpHeaders } from 'node:http';

export interface RetryEligibility {
  methods: ReadonlySet<string>;
  idempotencyKeyHeader: string | false;
}

export function isRetryable(method: string, headers: IncomingHttpHeaders, policy: RetryEligibility): boolean {
  if (policy.methods.has(method)) return true;
  return policy.idempotencyKeyHeader !== false && typeof headers[policy.idempotencyKeyHeader] === 'string';
}

/** Whether the request carries a body that a second attempt would have to send again. */
export function hasBody(headers: IncomingHttpHeaders): boolean {
  if (headers['transfer-encoding'] !== undefined) return true;
  const length = headers['content-length'];
  return length !== undefined && Number(length) > 0;
}
