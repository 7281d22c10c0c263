// CORS for browser clients: answers preflights at the edge, and adds the allow headers to real answers.
import type { RequestRoute, ResponseObject } from '@hapi/hapi';
import type { Boom } from '@hapi/boom';
import { definePlugin } from '../../contracts/plugin.ts';
import { originMatcher, type OriginMatcher } from './originMatcher.ts';
import { corsOptions, corsRouteOptions, type CorsOptions, type CorsRouteOptions } from './schema.ts';

interface CorsPolicy {
  allows: OriginMatcher;
  anyOrigin: boolean;
  credentials: boolean;
  methods: string;
  allowHeaders: string;
  exposeHeaders: string;
  maxAge: string;
}

function compilePolicy(options: CorsOptions, route: CorsRouteOptions = {}): CorsPolicy {
  const origins = route.origins ?? options.origins;
  return {
    allows: originMatcher(origins),
    anyOrigin: origins.includes('*'),
    credentials: route.credentials ?? options.credentials,
    methods: (route.methods ?? options.methods).join(', '),
    allowHeaders: options.allowHeaders.join(', '),
    exposeHeaders: options.exposeHeaders.join(', '),
    maxAge: String(Math.floor(options.maxAge / 1000)),
  };
}

export default definePlugin({
  name: 'cors',
  version: '1.0.0',
  priority: 2000,
  phases: ['onRequest', 'onPreResponse'],
  options: corsOptions,
  routeOptions: corsRouteOptions,
  register(server, options) {
    const gateway = server.portico;
    const defaultPolicy = compilePolicy(options);
    const perRoute = new WeakMap<object, CorsPolicy>();

    const policyFor = (route: RequestRoute): CorsPolicy | undefined => {
      const routeOptions = gateway.routeOptions<CorsRouteOptions>(route, 'cors');
      if (routeOptions === false) return undefined;
      if (!routeOptions) return defaultPolicy;
      let policy = perRoute.get(route);
      if (!policy) perRoute.set(route, (policy = compilePolicy(options, routeOptions)));
      return policy;
    };

    // Preflights are answered here, before auth: a browser never sends credentials on them.
    server.ext('onRequest', (request, h) => {
      const origin = request.headers.origin as string | undefined;
      const requestedMethod = request.headers['access-control-request-method'] as string | undefined;
      if (request.method !== 'options' || !origin || !requestedMethod) return h.continue;
      const route = request.server.match(requestedMethod.toLowerCase() as 'get', request.path);
      const policy = route ? policyFor(route) : undefined;
      const response = h.response().code(204);
      response.header('vary', 'origin');
      if (policy?.allows(origin)) {
        response.header(
          'access-control-allow-origin',
          policy.anyOrigin && !policy.credentials ? '*' : origin,
        );
        response.header('access-control-allow-methods', policy.methods);
        response.header('access-control-allow-headers', policy.allowHeaders);
        response.header('access-control-max-age', policy.maxAge);
        if (policy.credentials) response.header('access-control-allow-credentials', 'true');
      }
      return response.takeover();
    });

    server.ext('onPreResponse', (request, h) => {
      const origin = request.headers.origin as string | undefined;
      if (!origin) return h.continue;
      const policy = policyFor(request.route);
      const response = request.response as ResponseObject | Boom;
      const headers =
        'isBoom' in response && response.isBoom
          ? response.output.headers
          : (response as ResponseObject).headers;
      headers['vary'] = headers['vary'] ? `${String(headers['vary'])}, origin` : 'origin';
      if (!policy?.allows(origin)) return h.continue;
      headers['access-control-allow-origin'] = policy.anyOrigin && !policy.credentials ? '*' : origin;
      if (policy.credentials) headers['access-control-allow-credentials'] = 'true';
      if (policy.exposeHeaders) headers['access-control-expose-headers'] = policy.exposeHeaders;
      return h.continue;
    });
  },
});
