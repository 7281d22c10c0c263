// One JSON line per finished request, with the request id, route, upstream, status and duration
// (and the trace and span ids when the tracing plugin made a span for the request).
import { definePlugin, type EdgeRequest } from '../../contracts/plugin.ts';
import {
  accessLogOptions,
  accessLogRouteOptions,
  type AccessLogOptions,
  type AccessLogRouteOptions,
} from './schema.ts';

export default definePlugin({
  name: 'access-log',
  version: '1.1.0',
  priority: 10,
  phases: ['response'],
  options: accessLogOptions,
  routeOptions: accessLogRouteOptions,
  register(server, options) {
    const skip = new Set(options.skipPaths);
    const gateway = server.portico;
    const logger = gateway.logger;

    const levelFor = gateway.perRoute<AccessLogRouteOptions, AccessLogOptions['level'] | false>(
      'access-log',
      (routeOptions) => (routeOptions === false ? false : (routeOptions?.level ?? options.level)),
    );

    // One line when the response is sent or the client left (direct answers and hapi's alike).
    gateway.onResponseSent((request: EdgeRequest, sent) => {
      if (skip.has(request.path)) return;
      const level = levelFor(request.route);
      if (level === false) return;
      const context = request.plugins.portico;
      logger[level](
        {
          event: 'access',
          requestId: context?.requestId,
          method: request.method.toUpperCase(),
          path: options.includeQuery ? request.url.pathname + request.url.search : request.path,
          route: context?.routeId,
          upstream: context?.upstream,
          // A GraphQL route names its operation(s) there (plugins/graphql); absent elsewhere.
          operation: (request.plugins as { graphql?: { operation?: string } }).graphql?.operation,
          status: sent.status,
          durationMs: sent.durationMs,
          clientIp: context?.clientIp,
          userAgent: request.headers['user-agent'],
          // Set by the tracing plugin when it made a span for the request; absent without it.
          traceId: context?.trace?.traceId,
          spanId: context?.trace?.spanId,
        },
        'request completed',
      );
    });
  },
});
