// Hardening headers on every answer, the edge's own errors included.
import type { ResponseObject } from '@hapi/hapi';
import type { Boom } from '@hapi/boom';
import { definePlugin } from '../../contracts/plugin.ts';
import { buildHeaders, type SecurityHeaderSet } from './buildHeaders.ts';
import {
  securityHeadersOptions,
  securityHeadersRouteOptions,
  type SecurityHeadersRouteOptions,
} from './schema.ts';

export default definePlugin({
  name: 'security-headers',
  version: '1.0.0',
  priority: 1000,
  phases: ['onPreResponse'],
  options: securityHeadersOptions,
  routeOptions: securityHeadersRouteOptions,
  register(server, options) {
    const gateway = server.portico;
    const defaults = buildHeaders(options);
    // Per-route sets are built on first use and kept per route object: decided once per route, not per request.
    const perRoute = new WeakMap<object, SecurityHeaderSet>();

    server.ext('onPreResponse', (request, h) => {
      const routeOptions = gateway.routeOptions<SecurityHeadersRouteOptions>(
        request.route,
        'security-headers',
      );
      if (routeOptions === false) return h.continue;
      let headerSet = defaults;
      if (routeOptions) {
        headerSet = perRoute.get(request.route) ?? buildHeaders(options, routeOptions);
        perRoute.set(request.route, headerSet);
      }
      const response = request.response as ResponseObject | Boom;
      const headers =
        'isBoom' in response && response.isBoom
          ? response.output.headers
          : (response as ResponseObject).headers;
      for (const [name, value] of headerSet.set) headers[name] = value;
      for (const [name, value] of headerSet.setIfAbsent) headers[name] ??= value;
      for (const name of headerSet.remove) delete headers[name];
      return h.continue;
    });
  },
});
