// CORS for browser clients: answers preflights at the edge, and adds the allow headers to real answers.
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
  phases: ['onRequest', 'response'],
  options: corsOptions,
  routeOptions: corsRouteOptions,
  register(server, options) {
    const gateway = server.portico;
    const defaultPolicy = compilePolicy(options);
    const compile = (routeOptions: CorsRouteOptions | false | undefined): CorsPolicy | undefined =>
      routeOptions === false
        ? undefined
        : routeOptions
          ? compilePolicy(options, routeOptions)
          : defaultPolicy;
    // Compiled once per route; a preflight looks up the route it asks about.
    const policyFor = gateway.perRoute<CorsRouteOptions, CorsPolicy | undefined>('cors', compile);

    // Preflights are answered here, before auth: a browser never sends credentials on them.
    gateway.onPreflight((request, h) => {
      const origin = request.headers.origin as string | undefined;
      const requestedMethod = request.headers['access-control-request-method'] as string | undefined;
      if (!origin || !requestedMethod) return h.continue;
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

    // The allow headers on every real answer, as a response-header step built with the route.
    gateway.responseHeaders<CorsRouteOptions>((_route, routeOptions) => {
      const policy = compile(routeOptions);
      return (request, headers) => {
        const origin = request.headers.origin as string | undefined;
        if (!origin) return;
        headers['vary'] = headers['vary'] ? `${String(headers['vary'])}, origin` : 'origin';
        if (!policy?.allows(origin)) return;
        headers['access-control-allow-origin'] = policy.anyOrigin && !policy.credentials ? '*' : origin;
        if (policy.credentials) headers['access-control-allow-credentials'] = 'true';
        if (policy.exposeHeaders) headers['access-control-expose-headers'] = policy.exposeHeaders;
      };
    });
  },
});
