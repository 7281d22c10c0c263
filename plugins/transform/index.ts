// transform: per-route header add/remove/rename and JSON body field rename/remove, on the way in
// and on the way out, so a route (an /api/v2 over the /api/v1 services) can reshape the answers of
// a service without changing it. Routes without rules are not touched; bodies are read only on
// routes with body rules.
import Boom from '@hapi/boom';
import type { Request, RequestRoute, ResponseObject, ResponseToolkit } from '@hapi/hapi';
import { Readable } from 'node:stream';
import { definePlugin } from '../../contracts/plugin.ts';
import { pluginMetrics } from '../../contracts/pluginMetrics.ts';
import type { BodyRules } from './fieldPath.ts';
import { applyBodyRules } from './fieldPath.ts';
import { applyHeaderRules } from './headerRules.ts';
import { isIdentityEncoded, isJsonMediaType, rewriteJson } from './jsonBody.ts';
import { readUpTo } from '../../contracts/readUpTo.ts';
import {
  transformOptions,
  transformRouteOptions,
  type HeaderRules,
  type TransformRouteOptions,
} from './schema.ts';

export const PLUGIN_NAME = 'transform';

interface DirectionPlan {
  headers?: HeaderRules;
  body?: BodyRules;
}

interface RoutePlan {
  request: DirectionPlan;
  response: DirectionPlan;
  maxBodySize: number;
}

const BODYLESS_STATUS = new Set([204, 304]);

export default definePlugin({
  name: PLUGIN_NAME,
  version: '1.0.0',
  // After the response cache (880) on the way out: the cache keeps the upstream's answer and a hit
  // is reshaped like a miss.
  priority: 870,
  phases: ['onPreHandler', 'onPreResponse'],
  options: transformOptions,
  routeOptions: transformRouteOptions,
  register(server, options) {
    const gateway = server.portico;
    const metrics = pluginMetrics(gateway.metrics, PLUGIN_NAME);
    const bodies = metrics.counter(
      'bodies_total',
      'Bodies under a body rule, by route, direction and result',
      ['route', 'direction', 'result'],
    );

    // Each route's rules are fixed when the route is added; a route without any has no plan.
    const plans = new WeakMap<RequestRoute, RoutePlan>();
    server.events.on('route', (route) => {
      const own = gateway.routeOptions<TransformRouteOptions>(route, PLUGIN_NAME);
      if (!own || (!own.request && !own.response)) return;
      plans.set(route, {
        request: { ...own.request },
        response: { ...own.response },
        maxBodySize: own.maxBodySize ?? options.maxBodySize,
      });
    });

    // Routes that reshape answers must answer through hapi's response path, where the body is seen.
    gateway.readsResponses<TransformRouteOptions>((_route, own) => Boolean(own?.response));

    server.ext('onPreHandler', async (request, h) => {
      const plan = plans.get(request.route);
      if (!plan) return h.continue;
      const headers = request.headers as Record<string, unknown>;
      if (plan.request.headers) applyHeaderRules(headers, plan.request.headers);
      // The answer's body is rewritten here, so the upstream must send it uncompressed.
      if (plan.response.body) delete headers['accept-encoding'];
      if (plan.request.body) await rewriteRequestBody(request, plan.request.body, plan.maxBodySize);
      return h.continue;
    });

    const rewriteRequestBody = async (request: Request, rules: BodyRules, limit: number) => {
      const routeId = request.plugins.portico!.routeId;
      const payload: unknown = request.payload;
      const headers = request.headers;
      if (payload === null || payload === undefined) return;
      const rewritable =
        isJsonMediaType(headers['content-type']) && isIdentityEncoded(headers['content-encoding']);
      // A handler route that let hapi parse the JSON: the rules apply to the object itself.
      if (!(payload instanceof Readable) && !Buffer.isBuffer(payload)) {
        const parsed = typeof payload === 'object';
        if (parsed) applyBodyRules(payload, rules);
        bodies.inc({ route: routeId, direction: 'request', result: parsed ? 'rewritten' : 'not_json' });
        return;
      }
      let bytes: Buffer;
      if (Buffer.isBuffer(payload)) bytes = payload;
      else {
        // The gateway's one body reader: a body another plugin read (validation) is the same bytes.
        try {
          bytes = await gateway.readBody(request, limit);
        } catch (error) {
          if ((error as { code?: string }).code !== 'PORTICO_BODY_TOO_LARGE') throw error;
          bodies.inc({ route: routeId, direction: 'request', result: 'too_large' });
          throw Boom.entityTooLarge(`request body larger than ${limit} bytes`);
        }
      }
      let result: 'rewritten' | 'not_json' = 'not_json';
      if (rewritable && bytes.length > 0) {
        const rewritten = rewriteJson(bytes, rules);
        // A body the client calls JSON but is not: the client's fault, said before any upstream call.
        if (rewritten.kind === 'not-json') throw Boom.badRequest('the request body is not valid JSON');
        bytes = rewritten.body;
        result = 'rewritten';
      }
      bodies.inc({ route: routeId, direction: 'request', result });
      if (Buffer.isBuffer(payload)) (request as { payload: unknown }).payload = bytes;
      else request.plugins.portico!.body = bytes;
    };

    server.ext('onPreResponse', async (request, h) => {
      const plan = plans.get(request.route);
      const response = request.response as ResponseObject | Boom.Boom;
      // The edge's own errors are never reshaped.
      if (!plan || ('isBoom' in response && response.isBoom)) return h.continue;
      const answer = response as ResponseObject;
      if (plan.response.headers)
        applyHeaderRules(answer.headers as Record<string, unknown>, plan.response.headers);
      if (!plan.response.body || request.method === 'head' || BODYLESS_STATUS.has(answer.statusCode))
        return h.continue;
      return rewriteResponseBody(request, h, answer, plan.response.body, plan.maxBodySize);
    });

    const rewriteResponseBody = async (
      request: Request,
      h: ResponseToolkit,
      answer: ResponseObject,
      rules: BodyRules,
      limit: number,
    ) => {
      const routeId = request.plugins.portico!.routeId;
      const count = (result: string) => bodies.inc({ route: routeId, direction: 'response', result });
      const source: unknown = answer.source;
      if (
        !isJsonMediaType(answer.headers['content-type']) ||
        !isIdentityEncoded(answer.headers['content-encoding'])
      ) {
        // A handler's object is JSON by nature, whatever the header says so far.
        if (!(answer.variety === 'plain' && isPlainValue(source))) {
          count('not_json');
          return h.continue;
        }
      }
      if (answer.variety === 'plain' && isPlainValue(source)) {
        const value = structuredClone(source) as object;
        count('rewritten');
        return replaced(h, answer, value, { rewrote: applyBodyRules(value, rules) > 0 });
      }
      let bytes: Buffer;
      if (Buffer.isBuffer(source)) bytes = source;
      else if (typeof source === 'string') bytes = Buffer.from(source);
      else if (source instanceof Readable) {
        const read = await readUpTo(source, limit);
        if (!read.complete) {
          count('too_large');
          gateway
            .requestLogger(request)
            .warn(
              { event: 'transform_body_too_large', route: routeId, limit },
              'answer too large to rewrite; passed on untouched',
            );
          return replaced(h, answer, read.rest, { keepLength: true });
        }
        bytes = read.body;
      } else {
        count('not_json');
        return h.continue;
      }
      const rewritten = rewriteJson(bytes, rules);
      count(rewritten.kind === 'rewritten' ? 'rewritten' : 'not_json');
      return replaced(h, answer, rewritten.kind === 'rewritten' ? rewritten.body : bytes, {
        rewrote: rewritten.kind === 'rewritten' && rewritten.changed > 0,
      });
    };
  },
});

function isPlainValue(source: unknown): boolean {
  return (
    typeof source === 'object' && source !== null && !Buffer.isBuffer(source) && !(source instanceof Readable)
  );
}

/** A new answer with the old one's status and headers; hapi computes the length of a buffered body. */
function replaced(
  h: ResponseToolkit,
  answer: ResponseObject,
  body: Buffer | Readable | object,
  { keepLength = false, rewrote = false }: { keepLength?: boolean; rewrote?: boolean } = {},
) {
  const next = h.response(body).code(answer.statusCode);
  const headers = next.headers as Record<string, unknown>;
  for (const [name, value] of Object.entries(answer.headers)) {
    if (name === 'content-length' && !keepLength) continue;
    headers[name] = value;
  }
  // Another body than the upstream's: its strong validator no longer describes these bytes.
  const etag = headers.etag;
  if (rewrote && typeof etag === 'string' && !etag.startsWith('W/')) headers.etag = `W/${etag}`;
  return next;
}
