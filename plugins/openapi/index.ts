// openapi: the public contract enforced at the edge. Requests on a contract's prefix are matched
// to an operation (404/405 from the edge otherwise) and their path, query, headers and JSON body
// validated before any upstream call (400 problem+json naming each bad field); answers can be
// checked too (staging: logs and metrics only). Publishes the documents and the Swagger UI pages.
import { existsSync } from 'node:fs';
import path from 'node:path';
import Boom from '@hapi/boom';
import type { Request, RequestRoute, ResponseObject } from '@hapi/hapi';
import type { Operation } from 'openapi-backend';
import { definePlugin } from '../../contracts/plugin.ts';
import { pluginMetrics } from '../../contracts/pluginMetrics.ts';
import { problem, PROBLEM_CONTENT_TYPE } from '../../contracts/problem.ts';
import { bodyPlan, checkRequest, matchOperation, mediaTypeOf } from './checkRequest.ts';
import { docsRoutes } from './docsRoutes.ts';
import { describeFieldErrors, type FieldError } from './fieldErrors.ts';
import { warmRequestValidators } from './warmRequestValidators.ts';
import { loadContract, type LoadedContract } from './loadContract.ts';
import { checkResponseBody, teeForCheck } from './responseCheck.ts';
import { openapiOptions, openapiRouteOptions, type OpenapiRouteOptions } from './schema.ts';

interface RouteBinding {
  contract: LoadedContract;
  validateRequests: boolean;
  validateResponses: boolean;
}

interface CheckedRequest {
  contract: LoadedContract;
  operation: Operation;
}

function hasBody(request: Request): boolean {
  const length = request.headers['content-length'];
  return (length !== undefined && length !== '0') || request.headers['transfer-encoding'] !== undefined;
}

function underPrefix(routePath: string, prefix: string): boolean {
  return routePath === prefix || routePath.startsWith(`${prefix}/`);
}

export default definePlugin({
  name: 'openapi',
  version: '1.0.0',
  // onPreHandler runs after auth and the rate limits (a caller without credentials gets 401 first,
  // and a refused request still counts against its quota), and before the plugins that reshape or
  // answer a request there (response-cache 880, transform 870): the client's own request is checked.
  // On the way out the check runs after them (see onPreResponse below): the client's answer is checked.
  priority: 900,
  phases: ['onPreHandler', 'handler', 'onPreResponse'],
  options: openapiOptions,
  routeOptions: openapiRouteOptions,
  validate(options, facts) {
    const issues = [];
    const names = new Set<string>();
    for (const [i, api] of options.apis.entries()) {
      if (!existsSync(path.resolve(api.document)))
        issues.push({
          path: `${facts.pluginPath}.options.apis[${i}].document`,
          message: `no such file: ${api.document}`,
        });
      if (names.has(api.name))
        issues.push({
          path: `${facts.pluginPath}.options.apis[${i}].name`,
          message: `"${api.name}" is listed twice`,
        });
      names.add(api.name);
    }
    return issues;
  },
  async register(server, options) {
    const gateway = server.portico;
    const logger = gateway.logger.child({ plugin: 'openapi' });
    const started = performance.now();
    const contracts = await Promise.all(
      options.apis.map((api) => loadContract({ name: api.name, file: api.document, prefix: api.prefix })),
    );
    const settingsByContract = new Map(contracts.map((contract, i) => [contract, options.apis[i]!]));
    logger.info(
      {
        event: 'openapi_ready',
        apis: contracts.map((contract) => ({
          name: contract.name,
          prefix: contract.prefix,
          operations: contract.operations,
        })),
        ms: Math.round(performance.now() - started),
      },
      'contracts loaded',
    );
    let stopWarming: (() => void)[] = [];
    server.ext('onPostStart', () => {
      stopWarming = contracts.map((contract) => warmRequestValidators(contract.backend));
    });
    gateway.onStop(() => stopWarming.forEach((stop) => stop()));

    const metrics = pluginMetrics(gateway.metrics, 'openapi');
    const refused = metrics.counter(
      'requests_refused_total',
      'Requests the contract refused at the edge, by api and reason (invalid, unknown_operation, method_not_allowed, unsupported_media_type, too_large)',
      ['api', 'reason'],
    );
    const mismatches = metrics.counter(
      'response_mismatches_total',
      'Answers that do not match the contract (response validation), by api and operation',
      ['api', 'operation'],
    );
    const responsesChecked = metrics.counter(
      'responses_checked_total',
      'Answers checked against the contract, by api and operation',
      ['api', 'operation'],
    );

    gateway.route(docsRoutes(contracts, options.docs === false ? false : options.docs.path));

    // Decided once per route (on its first request): which contract binds it, and what is checked.
    const bindings = new WeakMap<RequestRoute, RouteBinding | null>();
    const bindingOf = (route: RequestRoute): RouteBinding | null => {
      let binding = bindings.get(route);
      if (binding !== undefined) return binding;
      const routeOptions = gateway.routeOptions<OpenapiRouteOptions>(route, 'openapi');
      const contract = contracts.find((candidate) => underPrefix(route.path, candidate.prefix));
      if (!contract || routeOptions === false) binding = null;
      else {
        const parsed = openapiRouteOptions.parse(routeOptions ?? {});
        binding = {
          contract,
          validateRequests: settingsByContract.get(contract)!.validateRequests && parsed.requests,
          validateResponses: parsed.responses,
        };
        if (!binding.validateRequests && !binding.validateResponses) binding = null;
      }
      bindings.set(route, binding);
      return binding;
    };
    const checked = new WeakMap<Request, CheckedRequest>();
    // Routes whose answers are checked must answer through hapi's response path.
    gateway.readsResponses<OpenapiRouteOptions>(
      (route, routeOptions) =>
        openapiRouteOptions.parse(routeOptions ?? {}).responses &&
        contracts.some((candidate) => underPrefix(route.path, candidate.prefix)),
    );

    const refuse = (contract: LoadedContract, reason: string) => refused.inc({ api: contract.name, reason });

    const invalid = (request: Request, contract: LoadedContract, errors: FieldError[]) => {
      refuse(contract, 'invalid');
      const body = {
        ...problem(400, 'Bad Request', describeFieldErrors(errors), request.plugins.portico?.requestId),
        errors,
      };
      gateway
        .requestLogger(request)
        .info(
          { event: 'openapi_request_invalid', api: contract.name, fields: errors.map((error) => error.path) },
          'request does not match the contract',
        );
      return body;
    };

    server.ext('onPreHandler', async (request, h) => {
      const binding = bindingOf(request.route);
      if (!binding) return h.continue;
      const { contract } = binding;
      const matched = matchOperation(contract, request.method, request.path);
      if (matched.kind === 'not-found') {
        if (!binding.validateRequests) return h.continue;
        refuse(contract, 'unknown_operation');
        throw Boom.notFound(
          `${request.method.toUpperCase()} ${request.path} is not an operation of this API`,
        );
      }
      if (matched.kind === 'method-not-allowed') {
        if (!binding.validateRequests) return h.continue;
        refuse(contract, 'method_not_allowed');
        throw Boom.methodNotAllowed(
          `${request.method.toUpperCase()} is not an operation of ${request.path}`,
          undefined,
          matched.allow,
        );
      }
      const { operation } = matched;
      checked.set(request, { contract, operation });
      // An answer to be checked must come uncompressed (staging only: the client gets it as sent).
      if (binding.validateResponses) delete (request.headers as Record<string, unknown>)['accept-encoding'];
      if (!binding.validateRequests) return h.continue;

      const mediaType = mediaTypeOf(request.headers['content-type'] as string | undefined);
      const plan = bodyPlan(operation, mediaType, hasBody(request));
      if (plan.kind === 'unsupported') {
        refuse(contract, 'unsupported_media_type');
        throw Boom.unsupportedMediaType(`expected a body of ${plan.accepted.join(' or ')}`);
      }

      let body: unknown;
      if (plan.kind === 'json') {
        const declared = Number(request.headers['content-length'] ?? 0);
        if (declared > options.maxBodySize) {
          refuse(contract, 'too_large');
          throw Boom.entityTooLarge(`request body larger than ${options.maxBodySize} bytes`);
        }
        let buffer: Buffer;
        if (Buffer.isBuffer(request.payload)) buffer = request.payload;
        else {
          // The gateway's one body reader: the proxy then sends this buffer, dedup and retry share it.
          try {
            buffer = await gateway.readBody(request, options.maxBodySize);
          } catch (error) {
            if ((error as { code?: string }).code === 'PORTICO_BODY_TOO_LARGE') {
              refuse(contract, 'too_large');
              throw Boom.entityTooLarge((error as Error).message);
            }
            throw Boom.badRequest('the request body could not be read');
          }
        }
        try {
          body = buffer.length === 0 ? undefined : JSON.parse(buffer.toString('utf8'));
        } catch {
          return h
            .response(invalid(request, contract, [{ path: '/body', message: 'is not valid JSON' }]))
            .code(400)
            .type(PROBLEM_CONTENT_TYPE)
            .takeover();
        }
      }

      const errors = checkRequest(contract, operation, {
        method: request.method,
        path: request.path,
        query: request.query as Record<string, string | string[]>,
        headers: request.headers as Record<string, string | string[]>,
        body,
        opaqueBody: plan.kind === 'opaque',
      });
      if (errors.length > 0) {
        return h
          .response(invalid(request, contract, errors))
          .code(400)
          .type(PROBLEM_CONTENT_TYPE)
          .takeover();
      }
      return h.continue;
    });

    // After the plugins that rewrite answers (hapi orders by plugin name; absent ones are ignored).
    const afterRewriters = { after: ['transform', 'response-cache'] };
    server.ext(
      'onPreResponse',
      (request, h) => {
        const seen = checked.get(request);
        if (!seen) return h.continue;
        const binding = bindingOf(request.route);
        const response = request.response as ResponseObject | Boom.Boom;
        if (!binding?.validateResponses || ('isBoom' in response && response.isBoom)) return h.continue;
        const answer = response as ResponseObject;
        const status = answer.statusCode;
        const contentType = String(answer.headers['content-type'] ?? '');
        // Only JSON is described field by field; compressed answers are not unpacked to be checked.
        if (
          !/json/i.test(contentType) ||
          answer.headers['content-encoding'] ||
          status === 204 ||
          status === 304
        )
          return h.continue;
        const report = (body: unknown) => {
          responsesChecked.inc({
            api: seen.contract.name,
            operation: seen.operation.operationId ?? 'unknown',
          });
          const errors = checkResponseBody(seen.contract, seen.operation, status, body);
          if (errors.length === 0) return;
          mismatches.inc({ api: seen.contract.name, operation: seen.operation.operationId ?? 'unknown' });
          gateway.requestLogger(request).warn(
            {
              event: 'openapi_response_mismatch',
              api: seen.contract.name,
              operation: seen.operation.operationId,
              status,
              mismatches: errors.slice(0, 20),
            },
            'answer does not match the contract',
          );
        };
        const parseAndReport = (buffer: Buffer | undefined) => {
          if (buffer === undefined) return;
          try {
            report(buffer.length === 0 ? undefined : JSON.parse(buffer.toString('utf8')));
          } catch {
            report(buffer.toString('utf8'));
          }
        };
        const source = answer.source as unknown;
        if (source && typeof (source as NodeJS.ReadableStream).pipe === 'function') {
          const tee = teeForCheck(options.responseBodyLimit, parseAndReport);
          (source as NodeJS.ReadableStream).pipe(tee);
          (answer as unknown as { source: unknown }).source = tee;
        } else if (Buffer.isBuffer(source) || typeof source === 'string') {
          parseAndReport(Buffer.from(source));
        } else report(source);
        return h.continue;
      },
      afterRewriters,
    );
  },
});
