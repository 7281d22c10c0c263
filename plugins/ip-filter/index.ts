// ip-filter: CIDR allow and deny lists, global and per route, on the client address resolved
// through the trusted proxies (request.plugins.portico.clientIp); a refused client gets 403.
import Boom from '@hapi/boom';
import type { RequestRoute } from '@hapi/hapi';
import { definePlugin } from '../../contracts/plugin.ts';
import { pluginMetrics } from '../../contracts/pluginMetrics.ts';
import { compileFilter, isEmptyFilter, refusal, type AddressFilter } from './addressList.ts';
import { ipFilterOptions, ipFilterRouteOptions, type IpFilterRouteOptions } from './schema.ts';

export const PLUGIN_NAME = 'ip-filter';

export default definePlugin({
  name: PLUGIN_NAME,
  version: '1.0.0',
  // Before the auth strategies (1450) and rate limits: a refused address costs no token check.
  priority: 1900,
  phases: ['onPreAuth'],
  options: ipFilterOptions,
  routeOptions: ipFilterRouteOptions,
  register(server, options) {
    const gateway = server.portico;
    const metrics = pluginMetrics(gateway.metrics, PLUGIN_NAME);
    const refused = metrics.counter('refused_total', 'Requests refused with 403, by route and reason', [
      'route',
      'reason',
    ]);

    // The lists are compiled once; each route's filters are decided when the route is added.
    const global = compileFilter(options);
    const globalFilters: AddressFilter[] = isEmptyFilter(global) ? [] : [global];
    const perRoute = new WeakMap<RequestRoute, AddressFilter[]>();
    server.events.on('route', (route) => {
      const own = gateway.routeOptions<IpFilterRouteOptions>(route, PLUGIN_NAME);
      if (own === false) perRoute.set(route, []);
      else if (own) {
        const filter = compileFilter(own);
        perRoute.set(route, [
          ...(own.inherit ? globalFilters : []),
          ...(isEmptyFilter(filter) ? [] : [filter]),
        ]);
      }
    });

    server.ext('onPreAuth', (request, h) => {
      const filters = perRoute.get(request.route) ?? globalFilters;
      if (filters.length === 0) return h.continue;
      const context = request.plugins.portico!;
      const reason = refusal(context.clientIp, filters);
      if (!reason) return h.continue;
      refused.inc({ route: context.routeId, reason });
      // The address is personal data: logged as the decision only, never the address itself.
      gateway
        .requestLogger(request)
        .info({ event: 'ip_refused', route: context.routeId, reason }, 'client address refused');
      throw Boom.forbidden('requests from this address are not allowed');
    });
  },
});
