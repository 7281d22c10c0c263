// Hardening headers on every answer, the edge's own errors included.
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
  phases: ['response'],
  options: securityHeadersOptions,
  routeOptions: securityHeadersRouteOptions,
  register(server, options) {
    const defaults = buildHeaders(options);
    // A response-header step per route, built with the route: the same headers on answers written
    // straight from the upstream and on the edge's own responses.
    server.portico.responseHeaders<SecurityHeadersRouteOptions>((_route, routeOptions) => {
      if (routeOptions === false) return undefined;
      const headerSet: SecurityHeaderSet = routeOptions ? buildHeaders(options, routeOptions) : defaults;
      return (_request, headers) => {
        for (const [name, value] of headerSet.set) headers[name] = value;
        for (const [name, value] of headerSet.setIfAbsent) headers[name] ??= value;
        for (const name of headerSet.remove) delete headers[name];
      };
    });
  },
});
