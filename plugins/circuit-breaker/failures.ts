// What counts against an upstream at its breaker: it could not be reached, it did not answer in
// time, it reset the connection, or it answered 5xx. A client that went away
// (PORTICO_CLIENT_CLOSED), a body over the route's limit (PORTICO_BODY_TOO_LARGE) or a refusal of
// the edge's own (a Boom: rate limit, concurrency limit) is nobody's failure but the client's:
// only codes in this list count.
import type { UpstreamReply } from '../../contracts/upstream.ts';

const UPSTREAM_FAILURE_CODES = new Set([
  'PORTICO_CONNECT_TIMEOUT',
  'PORTICO_RESPONSE_TIMEOUT',
  'PORTICO_BREAKER_TIMEOUT',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/** A 5xx answer, carried as an error through the breaker so it counts, then handed on to the client as it is. */
export class UpstreamServerError extends Error {
  constructor(readonly reply: UpstreamReply) {
    super(`upstream answered ${reply.status}`);
  }
}

/** The breaker's own timeout: the exchange goes on, but the client is answered 504 and the failure counted. */
export class BreakerTimeout extends Error {
  readonly code = 'PORTICO_BREAKER_TIMEOUT';
  constructor(readonly timeout: number) {
    super(`no upstream answer within the circuit breaker timeout of ${timeout}ms`);
  }
}

export function isUpstreamFailure(error: unknown): boolean {
  if (error instanceof UpstreamServerError) return true;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' && UPSTREAM_FAILURE_CODES.has(code);
}

/** Runs `exchange` with a deadline; an answer arriving after it is drained so its socket is freed. */
export function withDeadline(
  exchange: Promise<UpstreamReply>,
  timeout: number | false,
): Promise<UpstreamReply> {
  if (timeout === false) return exchange;
  return new Promise((resolve, reject) => {
    let late = false;
    const timer = setTimeout(() => {
      late = true;
      reject(new BreakerTimeout(timeout));
    }, timeout);
    exchange.then(
      (response) => {
        clearTimeout(timer);
        if (late) response.body.resume();
        else resolve(response);
      },
      (error: unknown) => {
        clearTimeout(timer);
        if (!late) reject(error);
      },
    );
  });
}
