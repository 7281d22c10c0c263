// Every error the edge produces leaves as RFC 9457 problem+json with the request id as
// `instance`; stack traces and internal messages stay in the logs.
import type { Boom } from '@hapi/boom';
import type { Request, ResponseObject, Server } from '@hapi/hapi';
import type { Logger } from 'pino';
import { problem, PROBLEM_CONTENT_TYPE } from '../../contracts/problem.ts';

export function registerProblemResponses(
  server: Server,
  requestIdHeader: string,
  requestLogger: (request: Request) => Logger,
): void {
  server.ext('onPreResponse', (request, h) => {
    const response = request.response as ResponseObject | Boom;
    const requestId = request.plugins.portico?.requestId;

    if (!('isBoom' in response && response.isBoom)) {
      if (requestId) (response as ResponseObject).headers[requestIdHeader] = requestId;
      return h.continue;
    }

    const { statusCode, payload, headers } = response.output;
    // A 500 is a bug or an unplanned failure: its cause goes to the log, never to the client.
    if (statusCode === 500) {
      requestLogger(request).error({ event: 'internal_error', err: response }, 'request failed');
    }
    const detail = statusCode === 500 ? undefined : payload.message || undefined;
    const body = problem(statusCode, payload.error, detail, requestId);
    const reply = h.response(body).code(statusCode).type(PROBLEM_CONTENT_TYPE);
    for (const [name, value] of Object.entries(headers)) {
      if (value !== undefined) reply.header(name, String(value));
    }
    if (requestId) reply.header(requestIdHeader, requestId);
    return reply;
  });
}
