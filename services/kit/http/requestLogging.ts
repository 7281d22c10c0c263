// One pino line per request, carrying the request id; handlers log through `log(request)`.
import Boom from '@hapi/boom';
import type { Request, Server } from '@hapi/hapi';
import type { Logger } from 'pino';
import { requestIdOf } from './requestId.ts';

interface RequestLogState {
  logger?: Logger;
}

/** The request's logger (a child of the service logger bound to the request id). */
export function log(request: Request): Logger {
  const logger = (request.app as RequestLogState).logger;
  if (!logger) throw new Error('request logging is not registered on this server');
  return logger;
}

/** Adds fields (a trace id) to every later line of the request's logger, its request line included. */
export function bindToRequestLog(request: Request, bindings: Record<string, string>): void {
  const state = request.app as RequestLogState;
  if (state.logger) state.logger = state.logger.child(bindings);
}

/** Must be registered before other onPreResponse extensions so the id reaches every response. */
export function registerRequestLogging(server: Server, logger: Logger): void {
  server.ext('onRequest', (request, h) => {
    (request.app as RequestLogState).logger = logger.child({ requestId: requestIdOf(request) });
    return h.continue;
  });
  server.ext('onPreResponse', (request, h) => {
    const response = request.response;
    if (Boom.isBoom(response)) response.output.headers['x-request-id'] = requestIdOf(request);
    else if (response) response.header('x-request-id', requestIdOf(request));
    return h.continue;
  });
  server.events.on('response', (request) => {
    const response = request.response as { statusCode?: number } | null;
    const requestLogger = (request.app as RequestLogState).logger ?? logger;
    requestLogger.info(
      {
        method: request.method.toUpperCase(),
        path: request.path,
        status: response?.statusCode,
        ms: Date.now() - request.info.received,
      },
      'request',
    );
  });
}
