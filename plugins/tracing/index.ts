// OpenTelemetry at the edge: a server span per request (continuing a trusted W3C traceparent),
// child spans for auth and the rate-limit checks, a client span per upstream attempt (retry
// attempts and GraphQL subgraph calls included) whose traceparent the upstream is sent, and OTLP
// export when configured. The request's trace ids are on `request.plugins.portico.trace` (the
// access log prints them). Wiring only: spans, propagation and the provider live in their own files.
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { definePlugin } from '../../contracts/plugin.ts';
import { attemptSpans } from './attemptSpans.ts';
import { createTracerProvider } from './createTracerProvider.ts';
import { endRequestSpan, startRequestSpan } from './requestSpan.ts';
import { RATE_LIMIT_PLUGIN, routePlan, type RoutePlan } from './routePlan.ts';
import { tracingOptions, tracingRouteOptions } from './schema.ts';
import { endStep, startStep } from './stepSpan.ts';

export const PLUGIN_NAME = 'tracing';
const VERSION = '1.0.0';

export interface TracingParts {
  /**
   * Span processors beside the configured exporter's (a test's InMemorySpanExporter, an embedder's
   * own): they belong to the caller, so a build that stops flushes them and never shuts them down.
   */
  spanProcessors?: readonly SpanProcessor[];
}

export function createTracingPlugin(parts: TracingParts = {}) {
  return definePlugin({
    name: PLUGIN_NAME,
    version: VERSION,
    // Low, so its onPreAuth and onPostAuth steps come after every other plugin's (the auth span
    // starts once the last onPreAuth step is done); the request's span still starts when hapi
    // received the request. Above access-log (10): a request's trace ids exist when its line is written.
    priority: 20,
    phases: ['onPreAuth', 'onPostAuth', 'handler', 'response'],
    options: tracingOptions,
    routeOptions: tracingRouteOptions,
    register(server, options) {
      const gateway = server.portico;
      const log = gateway.logger.child({ plugin: PLUGIN_NAME });
      const provider = createTracerProvider(options, {
        version: VERSION,
        log,
        spanProcessors: parts.spanProcessors ?? [],
      });
      const tracer = provider.getTracer('portico-gateway', VERSION);
      // One provider per build: stopping the build exports what it still holds.
      gateway.onStop(() => provider.shutdown());

      const planFor = gateway.perRoute<unknown, RoutePlan>(PLUGIN_NAME, (routeOptions, route) =>
        routePlan(server, routeOptions, route),
      );

      // 1. The request's span, and the rate-limit checks before auth (ip, route, header limits).
      server.ext(
        'onPreAuth',
        (request, h) => {
          const plan = planFor(request.route);
          if (!plan.traced) return h.continue;
          const state = startRequestSpan(tracer, request, options.trustIncoming);
          if (plan.rateLimit) startStep(tracer, state, 'rate-limit', { 'portico.phase': 'onPreAuth' });
          return h.continue;
        },
        { before: [RATE_LIMIT_PLUGIN] },
      );
      // 2. Auth: from the last onPreAuth step to the first onPostAuth one (hapi's authenticate and
      //    access checks in between).
      server.ext('onPreAuth', (request, h) => {
        const state = request.plugins.tracing;
        if (!state) return h.continue;
        endStep(state);
        const mode = planFor(request.route).auth;
        if (mode) startStep(tracer, state, 'auth', { 'portico.auth.mode': mode });
        return h.continue;
      });
      // 3. The rate-limit checks that need credentials (user, API key).
      server.ext(
        'onPostAuth',
        (request, h) => {
          const state = request.plugins.tracing;
          if (!state) return h.continue;
          if (state.step?.name === 'auth') {
            const { isAuthenticated, strategy } = request.auth;
            endStep(state, {
              'portico.auth.authenticated': isAuthenticated,
              ...(strategy && { 'portico.auth.strategy': strategy }),
            });
          }
          if (request.auth.isAuthenticated && planFor(request.route).rateLimit)
            startStep(tracer, state, 'rate-limit', { 'portico.phase': 'onPostAuth' });
          return h.continue;
        },
        { before: [RATE_LIMIT_PLUGIN] },
      );
      server.ext('onPostAuth', (request, h) => {
        const state = request.plugins.tracing;
        if (state) endStep(state);
        return h.continue;
      });

      // 4. Every upstream attempt: a client span, and its traceparent sent upstream.
      gateway.upstreamStep({
        stage: 'attempt',
        build: (route) => attemptSpans(tracer, route, gateway.upstreams.get(route.upstream)?.url),
      });

      // 5. The answer was sent: the request's span ends. A request answered before onPreAuth (a
      //    CORS preflight, a shed request) gets its span here, from its arrival.
      gateway.onResponseSent((request, sent) => {
        let state = request.plugins.tracing;
        if (!state && planFor(request.route).traced)
          state = startRequestSpan(tracer, request, options.trustIncoming);
        if (state) endRequestSpan(state, request, sent.status);
      });
    },
  });
}

export default createTracingPlugin();
