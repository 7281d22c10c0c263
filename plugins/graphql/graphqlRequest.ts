// GraphQL over HTTP at the edge: the parameters of a GET (query string) or a POST (JSON body, one
// operation or a batch), and the CSRF rule for browsers — a request a browser may send without a
// preflight (a GET, or a POST with a "simple" content type) needs one of the required headers.
import type { Request } from '@hapi/hapi';

export interface GraphQLParams {
  query?: string;
  operationName?: string;
  variables?: Record<string, unknown>;
  extensions?: Record<string, unknown>;
}

export interface RequestRefusal {
  status: number;
  code: string;
  message: string;
  headers?: Record<string, string>;
}

export type ReadParams = { batch: boolean; operations: GraphQLParams[] } | { refusal: RequestRefusal };

const SIMPLE_CONTENT_TYPES = ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data'];

const mediaType = (header: unknown): string | undefined =>
  typeof header === 'string' ? header.split(';')[0]!.trim().toLowerCase() : undefined;

/** Whether a browser could have sent this without a CORS preflight and it lacks a required header. */
export function needsCsrfRefusal(request: Request, requiredHeaders: readonly string[]): boolean {
  if (requiredHeaders.some((name) => request.headers[name] !== undefined)) return false;
  if (request.method !== 'post') return true;
  const type = mediaType(request.headers['content-type']);
  return type === undefined || SIMPLE_CONTENT_TYPES.includes(type);
}

const badRequest = (message: string, code = 'BAD_REQUEST'): { refusal: RequestRefusal } => ({
  refusal: { status: 400, code, message },
});

function jsonObject(value: unknown, what: string): Record<string, unknown> | undefined | RequestRefusal {
  if (value === undefined || value === null || value === '') return undefined;
  let parsed = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch {
      return { status: 400, code: 'BAD_REQUEST', message: `${what} must be a JSON object.` };
    }
  }
  if (parsed === null) return undefined;
  if (typeof parsed !== 'object' || Array.isArray(parsed))
    return { status: 400, code: 'BAD_REQUEST', message: `${what} must be a JSON object.` };
  return parsed as Record<string, unknown>;
}

const isRefusal = (value: unknown): value is RequestRefusal =>
  typeof value === 'object' && value !== null && 'status' in value && 'code' in value;

function paramsOf(raw: Record<string, unknown>): GraphQLParams | RequestRefusal {
  const { query, operationName } = raw;
  if (query !== undefined && query !== null && typeof query !== 'string')
    return { status: 400, code: 'BAD_REQUEST', message: 'query must be a string.' };
  if (operationName !== undefined && operationName !== null && typeof operationName !== 'string')
    return { status: 400, code: 'BAD_REQUEST', message: 'operationName must be a string.' };
  const variables = jsonObject(raw['variables'], 'variables');
  if (isRefusal(variables)) return variables;
  const extensions = jsonObject(raw['extensions'], 'extensions');
  if (isRefusal(extensions)) return extensions;
  return {
    query: query ?? undefined,
    operationName: operationName || undefined,
    variables,
    extensions,
  } as GraphQLParams;
}

export function readParams(request: Request): ReadParams {
  if (request.method === 'get') {
    const raw: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(request.query)) {
      if (Array.isArray(value)) return badRequest(`${name} is given more than once.`);
      raw[name] = value;
    }
    const params = paramsOf(raw);
    return isRefusal(params) ? { refusal: params } : { batch: false, operations: [params] };
  }
  const type = mediaType(request.headers['content-type']);
  if (type !== 'application/json' && type !== 'application/graphql-response+json')
    return {
      refusal: {
        status: 415,
        code: 'UNSUPPORTED_MEDIA_TYPE',
        message: 'A POST must be application/json.',
      },
    };
  const payload = request.payload as Buffer | null;
  let body: unknown;
  try {
    body = JSON.parse(payload && payload.length > 0 ? payload.toString('utf8') : '');
  } catch {
    return badRequest('The body is not valid JSON.');
  }
  const list = Array.isArray(body) ? body : [body];
  const operations: GraphQLParams[] = [];
  for (const entry of list) {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry))
      return badRequest('The body must be a JSON object (or an array of them for a batch).');
    const params = paramsOf(entry as Record<string, unknown>);
    if (isRefusal(params)) return { refusal: params };
    operations.push(params);
  }
  return { batch: Array.isArray(body), operations };
}
