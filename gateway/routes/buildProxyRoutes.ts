// Turns the config's routes into hapi routes, decided once at build time: path rewrite, limits,
// auth mode and per-route plugin options all live on the route, not in per-request lookups.
import type { ServerRoute } from '@hapi/hapi';
import { staticPrefix } from '../config/loadConfigFile.ts';
import type { RouteConfig } from '../config/schema.ts';
import type { Upstream } from '../proxy/createUpstream.ts';
import type { createProxyEngine, ProxyRouteTarget } from '../proxy/createProxyEngine.ts';

export interface ProxyRouteApp {
  routeId: string;
  upstream: string;
  proxy: ProxyRouteTarget;
}

export function buildProxyRoutes(
  routes: RouteConfig[],
  upstreams: ReadonlyMap<string, Upstream>,
  engine: ReturnType<typeof createProxyEngine>,
  authStrategies: string[],
): ServerRoute[] {
  return routes.map((route) => {
    const upstream = upstreams.get(route.upstream)!;
    const target: ProxyRouteTarget = {
      upstream,
      rewrite: {
        prefix: staticPrefix(route.path),
        stripPrefix: route.stripPrefix,
        addPrefix: route.addPrefix,
        basePath: upstream.basePath,
      },
      responseTimeout: route.timeout ?? upstream.config.timeout,
      maxBodySize: route.maxBodySize,
      websocket: route.websocket,
    };
    const app: ProxyRouteApp = { routeId: route.name ?? route.path, upstream: upstream.name, proxy: target };
    // hapi answers HEAD from a GET route and refuses HEAD as a route method of its own.
    const methods = route.methods === '*' ? '*' : route.methods.filter((method) => method !== 'HEAD');
    // hapi refuses payload settings on a route that only answers GET (and HEAD).
    const takesBody = methods === '*' || methods.some((method) => method !== 'GET');
    return {
      method: methods,
      path: route.path,
      handler: engine.handler(target),
      options: {
        app,
        plugins: route.plugins,
        auth: route.auth === 'none' ? false : { mode: route.auth, strategies: authStrategies },
        // The body is streamed to the upstream untouched: hapi neither reads nor parses it.
        ...(takesBody && {
          payload: { output: 'stream', parse: false, timeout: false, maxBytes: route.maxBodySize },
        }),
        // The upstream's answer is passed through as it is: no ranges, compression or cache headers of hapi's own.
        response: { ranges: false },
        cache: false,
        timeout: { server: false },
      },
    };
  });
}
