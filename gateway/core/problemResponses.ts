// Every error the edge produces leaves as RFC 9457 problem+json with the request id as
// `instance`; stack traces and internal messages stay in the logs. Then the route's
// response-header steps (security headers, CORS, RateLimit fields) run on every hapi response:
// the same steps the direct path of proxied routes runs before it writes the upstream's head.
import type { Boom } from '@hapi/boom';
import type { ResponseObject, Server } from '@hapi/hapi';
import type { Logger } from 'pino';
import type { EdgeRequest, ResponseHeaderStep } from '../../contracts/plugin.ts';
import { problem, PROBLEM_CONTENT_TYPE, type ProblemDetails } from '../../contracts/problem.ts';

/** Where a route keeps its response-header steps (built with the route). */
export interface RouteResponseSteps {
  responseSteps?: readonly ResponseHeaderStep[];
}

export function registerProblemResponses(
  server: Server,
  requestLogger: (request: EdgeRequest) => Logger,
  /** The steps for responses no route matched; read at request time (plugins register after this). */
  unmatchedSteps: () => readonly ResponseHeaderStep[],
): void {
  server.ext('onPreResponse', (request, h) => {
    const response = request.response as ResponseObject | Boom;
    const steps =
      (request.route.settings.app as RouteResponseSteps | undefined)?.responseSteps ?? unmatchedSteps();

    if ('isBoom' in response && response.isBoom) {
      const { statusCode, headers } = response.output;
      const body = problemOf(response, request, requestLogger);
      const reply = h.response(body).code(statusCode).type(PROBLEM_CONTENT_TYPE);
      for (const [name, value] of Object.entries(headers)) {
        if (value !== undefined) reply.header(name, String(value));
      }
      for (const step of steps) step(request, reply.headers as Record<string, string>);
      return reply;
    }
    for (const step of steps) step(request, (response as ResponseObject).headers as Record<string, string>);
    return h.continue;
  });
}

/** The problem+json body of an edge error; a 500's cause goes to the log, never to the client. */
export function problemOf(
  error: Boom,
  request: EdgeRequest,
  requestLogger: (request: EdgeRequest) => Logger,
): ProblemDetails {
  const { statusCode, payload } = error.output;
  if (statusCode === 500) {
    requestLogger(request).error({ event: 'internal_error', err: error }, 'request failed');
  }
  const detail = statusCode === 500 ? undefined : payload.message || undefined;
  return problem(statusCode, payload.error, detail, request.plugins.portico?.requestId);
}
