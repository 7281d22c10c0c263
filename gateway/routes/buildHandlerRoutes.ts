// Turns the handler routes plugins contributed into hapi routes, decided once at build time like
// config routes: route id, auth mode, body policy and validated per-route plugin options.
import type { ServerRoute } from '@hapi/hapi';
import type { z } from 'zod';
import type { HandlerRoute, PorticoPlugin, ResponseHeaderStep } from '../../contracts/plugin.ts';
import type { RouteFacts } from '../../contracts/upstream.ts';
import { ConfigError, fromZodIssues, type ConfigIssue } from '../config/configIssues.ts';
import type { RouteResponseSteps } from '../core/problemResponses.ts';

export interface HandlerRouteApp extends RouteResponseSteps {
  routeId: string;
  kind: 'handler';
}

export function buildHandlerRoutes(
  routes: HandlerRoute[],
  plugins: ReadonlyMap<string, PorticoPlugin>,
  authStrategies: string[],
  responseStepsFor: (
    facts: RouteFacts | undefined,
    routeOptions: Record<string, unknown>,
  ) => ResponseHeaderStep[],
): ServerRoute[] {
  const issues: ConfigIssue[] = [];
  const built = routes.map((route): ServerRoute => {
    const pluginOptions: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(route.plugins ?? {})) {
      const plugin = plugins.get(name);
      const at = `handler route ${route.id}: plugins.${name}`;
      // A route may name a plugin that is not configured: its options then have nothing to apply to.
      if (!plugin) continue;
      if (value === false) {
        pluginOptions[name] = false;
        continue;
      }
      const schema = plugin.routeOptions as z.ZodType | undefined;
      if (!schema) {
        issues.push({ path: at, message: `plugin "${name}" takes no per-route options (only false)` });
        continue;
      }
      const result = schema.safeParse(value);
      if (!result.success) issues.push(...fromZodIssues(result.error.issues, [at]));
      else pluginOptions[name] = result.data;
    }
    const body = route.body ?? { mode: 'none' };
    // hapi answers HEAD from a GET route and refuses HEAD as a route method of its own.
    const methods = (Array.isArray(route.method) ? route.method : [route.method]).filter(
      (method): method is Exclude<typeof method, 'HEAD'> => method !== 'HEAD',
    );
    // Response-header steps see a handler route with no upstream of its own.
    const facts: RouteFacts = { routeId: route.id, kind: 'handler', upstream: '', methods };
    const app: HandlerRouteApp = {
      routeId: route.id,
      kind: 'handler',
      responseSteps: responseStepsFor(facts, pluginOptions),
    };
    return {
      method: methods,
      path: route.path,
      handler: route.handler,
      options: {
        ...route.options,
        app,
        plugins: pluginOptions,
        auth: route.auth === 'none' ? false : { mode: route.auth, strategies: authStrategies },
        ...(body.mode === 'buffer' && {
          payload: { output: 'data', parse: body.parse ?? true, maxBytes: body.maxBytes },
        }),
        ...(body.mode === 'stream' && {
          payload: { output: 'stream', parse: false, maxBytes: body.maxBytes },
        }),
      },
    };
  });
  if (issues.length > 0) throw new ConfigError(issues);
  return built;
}
