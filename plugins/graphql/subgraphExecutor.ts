// The executor of one subschema: sends the delegated operation to the service's /graphql through
// the gateway's upstream client, so every subgraph call gets the route's upstream pipeline
// (admission, coalescing, retry, breaker) and the identity headers of the verified caller.
// Queries go as GET while the URL fits: identical GETs in flight together are what the client's
// coalescing merges, so 100 identical operations cost one call per subgraph.
import Boom from '@hapi/boom';
import { GraphQLError, print, type DocumentNode, type ExecutionResult } from 'graphql';
import type { ExecutionRequest, Executor } from '@graphql-tools/utils';
import { readReplyBody, type UpstreamReply } from '../../contracts/upstream.ts';
import type { OperationContext } from './operationContext.ts';

export interface SubgraphExecutorOptions {
  /** Subgraph name: what errors and metrics call it. */
  name: string;
  upstream: string;
  getMaxUrl: number;
  maxResponseSize: number;
}

/** Codes a client may rely on when a subgraph cannot answer. */
export const SUBGRAPH_CODES = {
  unavailable: 'SUBGRAPH_UNAVAILABLE',
  timeout: 'SUBGRAPH_TIMEOUT',
  badResponse: 'SUBGRAPH_BAD_RESPONSE',
} as const;

const ACCEPT = 'application/graphql-response+json, application/json;q=0.9';

export function createSubgraphExecutor(options: SubgraphExecutorOptions): Executor {
  // Delegated documents are built once per plan and reused: print each once.
  const printed = new WeakMap<DocumentNode, string>();
  const printOnce = (document: DocumentNode): string => {
    let text = printed.get(document);
    if (text === undefined) printed.set(document, (text = print(document)));
    return text;
  };

  const failure = (code: string, message: string): ExecutionResult => ({
    data: null,
    errors: [new GraphQLError(message, { extensions: { code, service: options.name } })],
  });

  async function subgraphExecutor(request: ExecutionRequest): Promise<ExecutionResult> {
    const context = request.context as OperationContext;
    const query = printOnce(request.document);
    const isQuery = (request.operationType ?? 'query') === 'query';
    const variables =
      request.variables && Object.keys(request.variables).length > 0 ? request.variables : undefined;

    let method = 'POST';
    let path = '/graphql';
    let body: string | undefined;
    if (isQuery && options.getMaxUrl > 0) {
      const search = new URLSearchParams({ query });
      if (variables) search.set('variables', JSON.stringify(variables));
      if (request.operationName) search.set('operationName', request.operationName);
      const candidate = `/graphql?${search.toString()}`;
      if (candidate.length <= options.getMaxUrl) {
        method = 'GET';
        path = candidate;
      }
    }
    if (method === 'POST') body = JSON.stringify({ query, variables, operationName: request.operationName });

    const headers: Record<string, string | undefined> = {
      accept: ACCEPT,
      // Services verify the bearer token themselves (as behind a REST route); identity headers
      // are added by the client from the verified caller.
      authorization: context.authorization,
      ...(body !== undefined && { 'content-type': 'application/json' }),
    };

    context.subgraphCalls += 1;
    let reply: UpstreamReply;
    try {
      reply = await context
        .client(options.upstream)
        .request({ method, path, headers, body, ...context.exchange });
    } catch (error) {
      const status = Boom.isBoom(error) ? error.output.statusCode : 502;
      context.onSubgraphCall(options.name, status === 504 ? 'timeout' : 'unavailable');
      return status === 504
        ? failure(SUBGRAPH_CODES.timeout, `The ${options.name} service did not answer in time.`)
        : failure(SUBGRAPH_CODES.unavailable, `The ${options.name} service is unavailable.`);
    }

    let parsed: ExecutionResult | undefined;
    try {
      const raw = await readReplyBody(reply, options.maxResponseSize);
      const value: unknown = JSON.parse(raw.toString('utf8'));
      if (typeof value === 'object' && value !== null && ('data' in value || 'errors' in value))
        parsed = value as ExecutionResult;
    } catch {
      parsed = undefined;
    }
    if (!parsed) {
      context.onSubgraphCall(options.name, 'bad_response');
      return reply.status >= 500
        ? failure(SUBGRAPH_CODES.unavailable, `The ${options.name} service is unavailable.`)
        : failure(
            SUBGRAPH_CODES.badResponse,
            `The ${options.name} service gave an answer that is not GraphQL.`,
          );
    }
    context.onSubgraphCall(options.name, parsed.errors?.length ? 'errors' : 'ok');
    if (parsed.errors) {
      // Tag where an error came from; its own code (UNAUTHENTICATED, BAD_USER_INPUT) is kept.
      parsed = {
        ...parsed,
        errors: parsed.errors.map((error) => ({
          ...error,
          extensions: { ...error.extensions, service: options.name },
        })) as unknown as ExecutionResult['errors'],
      };
    }
    return parsed;
  }
  return subgraphExecutor as Executor;
}
