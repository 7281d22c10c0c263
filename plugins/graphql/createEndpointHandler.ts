// The handler of one GraphQL endpoint, built once per route: its limits, rules and document cache
// are fixed here. A request goes: GraphiQL page? → CSRF → parameters → batch limit → for each
// operation: persisted-query flow → parse (token limit) + validate (depth, aliases, directives,
// root fields, introspection), cached per document → method check → cost → execute (an identical
// query of the same caller in flight: wait for its result instead) → format.
// Every refusal happens before the first subgraph call.
import type { Lifecycle, Request, ResponseToolkit } from '@hapi/hapi';
import {
  execute,
  GraphQLError,
  Kind,
  validate,
  type DocumentNode,
  type ExecutionResult,
  type FragmentDefinitionNode,
  type GraphQLFormattedError,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type ValidationRule,
} from 'graphql';
import { LRUCache } from 'lru-cache';
import type { GatewayContext } from '../../contracts/plugin.ts';
import type { Caller } from '../../contracts/upstream.ts';
import { estimateCost } from './estimateCost.ts';
import { formatExecutionError, formatRequestError } from './formatErrors.ts';
import { createInflightOperations } from './inflightOperations.ts';
import { needsCsrfRefusal, readParams, type GraphQLParams, type RequestRefusal } from './graphqlRequest.ts';
import type { OperationContext } from './operationContext.ts';
import { LIMIT_CODES, parseLimited, validationRules, VALIDATION_FAILED } from './operationLimits.ts';
import type { OperationMetrics } from './operationMetrics.ts';
import { sha256Hex, type PersistedOperation } from './persistedManifest.ts';
import type { EndpointSettings, GraphqlOptions } from './schema.ts';
import type { ApqStore } from './stores/apqStore.ts';

export const PERSISTED_CODES = {
  notFound: 'PERSISTED_QUERY_NOT_FOUND',
  notSupported: 'PERSISTED_QUERY_NOT_SUPPORTED',
  hashMismatch: 'PERSISTED_QUERY_HASH_MISMATCH',
  notInList: 'PERSISTED_QUERY_NOT_IN_LIST',
} as const;

/** What the access log and other plugins can read of a GraphQL request (`request.plugins.graphql`). */
export interface GraphQLRequestState {
  /** The operation name (`(anonymous)` when it has none); several, comma-separated, for a batch. */
  operation: string;
  operationType?: string;
  persisted?: 'apq' | 'manifest';
  subgraphCalls: number;
  /** The request id of the identical operation in flight whose result this one got (its subgraph calls carry that id). */
  sharedWith?: string;
}

declare module '@hapi/hapi' {
  interface PluginsStates {
    graphql?: GraphQLRequestState;
  }
}

interface CachedDocument {
  document?: DocumentNode;
  /** A syntax error or the token limit: nothing else is known of the document. */
  parseError?: GraphQLError;
  /** Validation and limit errors; the operations are known, so the method can be checked first. */
  errors?: readonly GraphQLError[];
  operations: OperationDefinitionNode[];
  fragments: Record<string, FragmentDefinitionNode>;
}

export interface EndpointDependencies {
  settings: EndpointSettings;
  options: GraphqlOptions;
  schema: GraphQLSchema;
  gateway: GatewayContext;
  manifest: ReadonlyMap<string, PersistedOperation>;
  apq: ApqStore | undefined;
  metrics: OperationMetrics;
  graphiqlPage: (() => Promise<string>) | undefined;
}

interface Outcome {
  status: number;
  body: { data?: unknown; errors?: GraphQLFormattedError[] };
  headers?: Record<string, string>;
  state: GraphQLRequestState;
}

/** One run of an operation against the stitched schema, as identical operations share it. */
interface Executed {
  result: ExecutionResult;
  subgraphCalls: number;
  requestId: string;
}

const persistedQueryOf = (params: GraphQLParams): { sha256Hash?: unknown; version?: unknown } | undefined => {
  const value = params.extensions?.['persistedQuery'];
  return typeof value === 'object' && value !== null ? (value as { sha256Hash?: unknown }) : undefined;
};

export function createEndpointHandler(deps: EndpointDependencies): Lifecycle.Method {
  const { settings, options, schema, gateway, manifest, apq, metrics } = deps;
  const rules: ValidationRule[] = validationRules(settings.limits, settings.introspection);
  const documents = new LRUCache<string, CachedDocument>({ max: options.documentCacheSize });
  const safelist = options.persisted.safelist;
  const audiences = new Set(safelist.audiences);
  const apiKeys = new Set(safelist.apiKeys);
  const inflight = options.deduplicateOperations ? createInflightOperations<Executed>() : undefined;

  const isSafelisted = (request: Request, caller: Caller): boolean => {
    if (settings.safelistOnly) return true;
    if (caller.apiKeyId !== undefined && apiKeys.has(caller.apiKeyId)) return true;
    if (audiences.size === 0 || !request.auth.isAuthenticated) return false;
    const aud = (request.auth.credentials as { claims?: { aud?: unknown } }).claims?.aud;
    const list = Array.isArray(aud) ? aud : [aud];
    return list.some((value) => typeof value === 'string' && audiences.has(value));
  };

  const documentOf = (query: string): CachedDocument => {
    let cached = documents.get(query);
    if (cached) return cached;
    const parsed = parseLimited(query, settings.limits.tokens);
    if (parsed instanceof GraphQLError) {
      cached = { parseError: parsed, operations: [], fragments: {} };
    } else {
      const errors = validate(schema, parsed, rules);
      const operations: OperationDefinitionNode[] = [];
      const fragments: Record<string, FragmentDefinitionNode> = {};
      for (const definition of parsed.definitions) {
        if (definition.kind === Kind.OPERATION_DEFINITION) operations.push(definition);
        else if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition;
      }
      cached =
        errors.length > 0 ? { errors, operations, fragments } : { document: parsed, operations, fragments };
    }
    documents.set(query, cached);
    return cached;
  };

  const refusal = (requestId: string, refused: RequestRefusal, state: GraphQLRequestState): Outcome => ({
    status: refused.status,
    headers: refused.headers,
    body: { errors: [{ message: refused.message, extensions: { code: refused.code, requestId } }] },
    state,
  });

  async function runOperation(
    request: Request,
    params: GraphQLParams,
    context: OperationContext,
  ): Promise<Outcome> {
    const { requestId } = context.exchange;
    const started = performance.now();
    const state: GraphQLRequestState = { operation: params.operationName ?? '(anonymous)', subgraphCalls: 0 };
    const refuse = (refused: RequestRefusal, type = 'unknown'): Outcome => {
      metrics.observe({
        route: settings.id,
        name: params.operationName,
        type,
        outcome: 'refused',
        seconds: (performance.now() - started) / 1000,
        subgraphCalls: 0,
        errorCodes: [refused.code],
      });
      return refusal(requestId, refused, state);
    };

    // 1. Which document: the text, a manifest entry or an APQ registration (Apollo's protocol).
    const safelisted = isSafelisted(request, context.exchange.caller);
    const persistedQuery = persistedQueryOf(params);
    let query = params.query;
    let register: string | undefined;
    if (persistedQuery) {
      const hash = persistedQuery.sha256Hash;
      if (persistedQuery.version !== 1 || typeof hash !== 'string' || !/^[0-9a-f]{64}$/i.test(hash))
        return refuse({ status: 400, code: 'BAD_REQUEST', message: 'Unsupported persistedQuery extension.' });
      const key = hash.toLowerCase();
      const listed = manifest.get(key);
      if (query !== undefined) {
        if (sha256Hex(query) !== key)
          return refuse({
            status: 400,
            code: PERSISTED_CODES.hashMismatch,
            message: 'The sha256Hash does not match the query.',
          });
        if (listed) state.persisted = 'manifest';
        else if (safelisted)
          return refuse({
            status: 400,
            code: PERSISTED_CODES.notInList,
            message: 'This client may run persisted operations only.',
          });
        else if (apq) register = key;
        else
          return refuse({
            status: 400,
            code: PERSISTED_CODES.notSupported,
            message: 'PersistedQueryNotSupported',
          });
      } else if (listed) {
        query = listed.body;
        state.persisted = 'manifest';
      } else if (safelisted) {
        return refuse({
          status: 400,
          code: PERSISTED_CODES.notInList,
          message: 'This client may run persisted operations only.',
        });
      } else if (!apq) {
        return refuse({
          status: 400,
          code: PERSISTED_CODES.notSupported,
          message: 'PersistedQueryNotSupported',
        });
      } else {
        query = await apq.get(key);
        // Apollo clients resend with the text on this code; 200 is what they expect.
        if (query === undefined)
          return refuse({ status: 200, code: PERSISTED_CODES.notFound, message: 'PersistedQueryNotFound' });
        state.persisted = 'apq';
      }
    } else if (query === undefined || query === '') {
      return refuse({ status: 400, code: 'BAD_REQUEST', message: 'Must provide a query string.' });
    } else if (safelisted) {
      if (!manifest.has(sha256Hex(query)))
        return refuse({
          status: 400,
          code: PERSISTED_CODES.notInList,
          message: 'This client may run persisted operations only.',
        });
      state.persisted = 'manifest';
    }

    // 2. Parse and validate (cached per document text, limits included).
    const cached = documentOf(query!);
    const refuseDocument = (errors: readonly GraphQLError[], type: string): Outcome => {
      const body = { errors: errors.map((error) => formatRequestError(error, requestId, VALIDATION_FAILED)) };
      metrics.observe({
        route: settings.id,
        name: params.operationName,
        type,
        outcome: 'refused',
        seconds: (performance.now() - started) / 1000,
        subgraphCalls: 0,
        errorCodes: body.errors.map((error) => String(error.extensions?.['code'])),
      });
      return { status: 400, body, state };
    };
    if (cached.parseError) return refuseDocument([cached.parseError], 'unknown');
    const operation = params.operationName
      ? cached.operations.find((candidate) => candidate.name?.value === params.operationName)
      : cached.operations.length === 1
        ? cached.operations[0]
        : undefined;
    if (!operation)
      return refuse({
        status: 400,
        code: 'BAD_REQUEST',
        message: params.operationName
          ? `Unknown operation named "${params.operationName}".`
          : 'Must provide an operationName when the document holds several operations.',
      });
    const type = operation.operation;
    state.operationType = type;
    state.operation = operation.name?.value ?? '(anonymous)';

    // 3. What the method allows: no mutation over GET (a link or an image must not change state),
    // whatever else is wrong with the document.
    if (type !== 'query' && request.method === 'get')
      return refuse(
        {
          status: 405,
          code: 'METHOD_NOT_ALLOWED',
          message: `A ${type} must be sent with POST.`,
          headers: { allow: 'POST' },
        },
        type,
      );
    if (cached.errors) return refuseDocument(cached.errors, type);
    if (type === 'subscription')
      return refuse(
        { status: 400, code: 'BAD_REQUEST', message: 'Subscriptions are not served here.' },
        type,
      );

    // 4. Cost, with the request's variables (list sizes may come from them).
    const cost = estimateCost(
      schema,
      operation,
      cached.fragments,
      params.variables ?? {},
      settings.limits.defaultListSize,
    );
    if (cost > settings.limits.cost)
      return refuse(
        {
          status: 400,
          code: LIMIT_CODES.cost,
          message: `The operation's estimated cost ${cost} exceeds the limit of ${settings.limits.cost}.`,
        },
        type,
      );
    if (register) {
      await apq!.set(register, query!);
      state.persisted = 'apq';
    }

    // 5. Execute against the stitched schema; subschema executors call the services. A query
    // identical to one in flight for the same caller waits for that one's result: what the
    // services answer depends on the document, the variables and who asks (the identity headers
    // and the bearer token they get), so all of those are in the key. Mutations always run.
    const executeWith = async (operationContext: OperationContext): Promise<Executed> => {
      const result = (await execute({
        schema,
        document: cached.document!,
        operationName: operation.name?.value,
        variableValues: params.variables,
        contextValue: operationContext,
      })) as ExecutionResult;
      return { result, subgraphCalls: operationContext.subgraphCalls, requestId };
    };
    let executed: Executed;
    if (inflight && type === 'query') {
      const key = JSON.stringify([
        query,
        operation.name?.value ?? null,
        params.variables ?? null,
        context.authorization ?? null,
        context.exchange.caller,
      ]);
      const shared = inflight.run(key, context.exchange.signal, (signal) =>
        executeWith({ ...context, exchange: { ...context.exchange, signal } }),
      );
      if (!shared.leader) metrics.deduplicated(settings.id);
      executed = await shared.result;
      if (!shared.leader) state.sharedWith = executed.requestId;
    } else {
      executed = await executeWith(context);
    }
    const { result } = executed;
    // A follower made no subgraph call of its own.
    const subgraphCalls = state.sharedWith === undefined ? executed.subgraphCalls : 0;
    state.subgraphCalls = subgraphCalls;
    const errors = result.errors?.map((error) =>
      result.data === undefined
        ? formatRequestError(error, requestId, 'BAD_USER_INPUT')
        : formatExecutionError(error, requestId, options.maskErrors),
    );
    metrics.observe({
      route: settings.id,
      name: operation.name?.value,
      type,
      outcome: errors?.length ? 'errors' : 'ok',
      seconds: (performance.now() - started) / 1000,
      subgraphCalls,
      errorCodes: errors?.map((error) => String(error.extensions?.['code'])) ?? [],
    });
    return {
      status: result.data === undefined ? 400 : 200,
      body: { ...(errors && { errors }), ...(result.data !== undefined && { data: result.data }) },
      state,
    };
  }

  function operationContext(request: Request): OperationContext {
    const exchange = gateway.exchangeContext(request);
    const header = request.headers.authorization;
    return {
      client: (upstream) => gateway.upstream(upstream, settings.id),
      exchange,
      authorization: typeof header === 'string' && /^bearer\s/i.test(header) ? header : undefined,
      subgraphCalls: 0,
      onSubgraphCall: (subgraph, outcome) => metrics.subgraphCall(subgraph, outcome),
    };
  }

  return async function graphqlHandler(request: Request, h: ResponseToolkit) {
    const requestId = request.plugins.portico!.requestId;
    const reply = (status: number, body: unknown, headers?: Record<string, string>) => {
      const response = h
        .response(body as object)
        .code(status)
        .type('application/json; charset=utf-8');
      for (const [name, value] of Object.entries(headers ?? {})) response.header(name, value);
      return response;
    };
    const refused = (refusal: RequestRefusal) => {
      request.plugins.graphql = { operation: '(refused)', subgraphCalls: 0 };
      return reply(
        refusal.status,
        { errors: [{ message: refusal.message, extensions: { code: refusal.code, requestId } }] },
        refusal.headers,
      );
    };

    if (
      deps.graphiqlPage &&
      request.method === 'get' &&
      Object.keys(request.query).length === 0 &&
      String(request.headers.accept ?? '').includes('text/html')
    )
      return h.response(await deps.graphiqlPage()).type('text/html; charset=utf-8');

    if (options.csrf.enabled && needsCsrfRefusal(request, options.csrf.requiredHeaders))
      return refused({
        status: 400,
        code: 'CSRF_PREFLIGHT_REQUIRED',
        message: `This request needs a "content-type: application/json" body or one of the headers: ${options.csrf.requiredHeaders.join(', ')}.`,
      });

    const read = readParams(request);
    if ('refusal' in read) return refused(read.refusal);
    if (read.batch) {
      if (settings.limits.batch === 0)
        return refused({
          status: 400,
          code: 'BATCHING_DISABLED',
          message: 'Batched operations are not accepted.',
        });
      if (read.operations.length > settings.limits.batch)
        return refused({
          status: 400,
          code: LIMIT_CODES.batch,
          message: `A batch may hold at most ${settings.limits.batch} operations; this one holds ${read.operations.length}.`,
        });
    }

    const outcomes = await Promise.all(
      read.operations.map((params) => runOperation(request, params, operationContext(request))),
    );
    request.plugins.graphql = {
      operation: outcomes.map((outcome) => outcome.state.operation).join(','),
      operationType: outcomes[0]?.state.operationType,
      persisted: outcomes[0]?.state.persisted,
      subgraphCalls: outcomes.reduce((sum, outcome) => sum + outcome.state.subgraphCalls, 0),
      ...(outcomes.length === 1 &&
        outcomes[0]!.state.sharedWith && { sharedWith: outcomes[0]!.state.sharedWith }),
    };
    if (!read.batch) {
      const [only] = outcomes;
      const cacheControl = options.persisted.cacheControl;
      // Only an answer that is the same for everyone may be kept by a shared cache.
      const shareable =
        cacheControl !== undefined &&
        request.method === 'get' &&
        only!.state.persisted !== undefined &&
        only!.status === 200 &&
        !only!.body.errors &&
        !request.auth.isAuthenticated &&
        request.headers.authorization === undefined;
      return reply(
        only!.status,
        only!.body,
        shareable ? { ...only!.headers, 'cache-control': cacheControl } : only!.headers,
      );
    }
    return reply(
      200,
      outcomes.map((outcome) => outcome.body),
    );
  };
}
