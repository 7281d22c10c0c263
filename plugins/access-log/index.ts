// One JSON line per finished request, with the request id, route, upstream, status and duration.
import type { Request } from '@hapi/hapi';
import { definePlugin } from '../../contracts/plugin.ts';
import { accessLogOptions, accessLogRouteOptions, type AccessLogRouteOptions } from './schema.ts';

export default definePlugin({
  name: 'access-log',
  version: '1.0.0',
  priority: 10,
  phases: ['response'],
  options: accessLogOptions,
  routeOptions: accessLogRouteOptions,
  register(server, options) {
    const skip = new Set(options.skipPaths);
    const gateway = server.portico;
    const logger = gateway.logger;

    server.events.on('response', (request: Request) => {
      if (skip.has(request.path)) return;
      const routeOptions = gateway.routeOptions<AccessLogRouteOptions>(request.route, 'access-log');
      if (routeOptions === false) return;
      const context = request.plugins.portico;
      // When the client left first, hapi's response is a symbol, not an object.
      const response: unknown = request.response;
      const status =
        typeof response === 'object' && response !== null
          ? (response as { statusCode?: number }).statusCode
          : undefined;
      const responded = request.info.responded || Date.now();
      // Node answers 499-like aborts with no status; record them so they are not invisible.
      const aborted = request.raw.res.writableEnded === false;
      // The root logger with the request id as a field: a child logger per request costs more.
      logger[routeOptions?.level ?? options.level](
        {
          event: 'access',
          requestId: context?.requestId,
          method: request.method.toUpperCase(),
          path: options.includeQuery ? request.url.pathname + request.url.search : request.path,
          route: context?.routeId,
          upstream: context?.upstream,
          // A GraphQL route names its operation(s) there (plugins/graphql); absent elsewhere.
          operation: (request.plugins as { graphql?: { operation?: string } }).graphql?.operation,
          status: aborted ? 499 : status,
          durationMs: responded - request.info.received,
          clientIp: context?.clientIp,
          userAgent: request.headers['user-agent'],
        },
        'request completed',
      );
    });
  },
});
