// Every error leaves a service as RFC 9457 problem+json with the request id as `instance`.
import Boom from '@hapi/boom';
import type { Request, ResponseToolkit, Server } from '@hapi/hapi';
import { PROBLEM_CONTENT_TYPE, problem } from '../../../contracts/problem.ts';
import { requestIdOf } from './requestId.ts';
import { log } from './requestLogging.ts';

/**
 * Extra problem members (e.g. `errors`) ride on the error itself, not in `data`: hapi's
 * validation replaces `data` when it wraps a validator's error.
 */
interface WithProblemMembers {
  problemMembers?: Record<string, unknown>;
}

export function badRequest(detail: string, extra?: Record<string, unknown>): Boom.Boom {
  const error = Boom.badRequest(detail);
  if (extra) (error as WithProblemMembers).problemMembers = extra;
  return error;
}

export function tooManyRequests(detail: string, retryAfterSeconds: number): Boom.Boom {
  const error = Boom.tooManyRequests(detail);
  error.output.headers['Retry-After'] = String(Math.max(1, Math.ceil(retryAfterSeconds)));
  return error;
}

/**
 * What of an error goes to the log: driver errors carry the query's parameters (emails,
 * password hashes), so only the name, message, SQLSTATE and stack are kept.
 */
function loggableError(error: Boom.Boom): Record<string, unknown> {
  const { code, constraint } = error as Boom.Boom & { code?: unknown; constraint?: unknown };
  return { type: error.name, message: error.message, code, constraint, stack: error.stack };
}

export function registerProblemResponses(server: Server): void {
  server.ext('onPreResponse', (request: Request, h: ResponseToolkit) => {
    const response = request.response;
    if (!Boom.isBoom(response)) return h.continue;
    const { statusCode, payload, headers } = response.output;
    const requestId = requestIdOf(request);
    if (statusCode >= 500) {
      // The stack stays in the log; the client gets a generic detail and the id to report.
      log(request).error({ err: loggableError(response) }, 'request failed');
    }
    const detail = statusCode >= 500 ? 'An unexpected error occurred.' : response.message || undefined;
    const body = problem(statusCode, payload.error, detail === payload.error ? undefined : detail, requestId);
    const extra = (response as WithProblemMembers).problemMembers;
    const result = h
      .response({ ...body, ...extra })
      .code(statusCode)
      .type(PROBLEM_CONTENT_TYPE);
    for (const [name, value] of Object.entries(headers)) {
      if (value !== undefined) result.header(name, String(value));
    }
    return result;
  });
}
