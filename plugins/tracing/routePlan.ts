// What a route's requests get spans for, decided once per route when it is built.
import type { AuthSettings, RequestRoute, Server } from '@hapi/hapi';

/** The plugin whose checks get spans of their own (its extension points are bracketed by name). */
export const RATE_LIMIT_PLUGIN = 'rate-limit';

export interface RoutePlan {
  /** false when the route turns tracing off: no spans, no trace context for its upstream. */
  traced: boolean;
  /** The route's auth mode when it authenticates (an auth span), else undefined. */
  auth: string | undefined;
  /** Whether rate-limit runs on the route (a rate-limit span around each of its checks). */
  rateLimit: boolean;
}

export function routePlan(server: Server, routeOptions: unknown, route: RequestRoute | undefined): RoutePlan {
  if (routeOptions === false) return { traced: false, auth: undefined, rateLimit: false };
  if (!route) return { traced: true, auth: undefined, rateLimit: false };
  // hapi's own rule (its server.auth.lookup): the route's auth, else the server default, unless
  // false (hapi's types omit that the built route keeps `auth: false`).
  const own = route.settings.auth as AuthSettings | false | undefined;
  const auth = own === false ? undefined : (own ?? server.auth.settings.default);
  const rateLimitOptions = (route.settings.plugins as Record<string, unknown> | undefined)?.[
    RATE_LIMIT_PLUGIN
  ];
  return {
    traced: true,
    auth: auth ? (typeof auth === 'string' ? 'required' : (auth.mode ?? 'required')) : undefined,
    rateLimit: RATE_LIMIT_PLUGIN in server.registrations && rateLimitOptions !== false,
  };
}
