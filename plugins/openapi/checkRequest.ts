// Matching a request to an operation of a contract and checking it, with no hapi in sight:
// what to do is decided from the method, path, media type and the parsed parts.
import type { Operation } from 'openapi-backend';
import { fieldErrors, type FieldError } from './fieldErrors.ts';
import type { LoadedContract } from './loadContract.ts';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

export type OperationMatch =
  | { kind: 'operation'; operation: Operation }
  | { kind: 'not-found' }
  | { kind: 'method-not-allowed'; allow: string[] };

export function matchOperation(contract: LoadedContract, method: string, path: string): OperationMatch {
  const router = contract.backend.router;
  const lower = method.toLowerCase();
  // A HEAD is answered from the GET route (hapi does the same).
  const asked = lower === 'head' ? 'get' : lower;
  try {
    return {
      kind: 'operation',
      operation: router.matchOperation({ method: asked, path, headers: {} }, true),
    };
  } catch (error) {
    if (!(error instanceof Error) || !error.message.startsWith('405')) return { kind: 'not-found' };
  }
  const allow = METHODS.filter((candidate) =>
    router.matchOperation({ method: candidate, path, headers: {} }),
  );
  return { kind: 'method-not-allowed', allow: allow.map((name) => name.toUpperCase()) };
}

/** `application/json; charset=utf-8` → `application/json`. */
export function mediaTypeOf(contentType: string | undefined): string | undefined {
  const type = contentType?.split(';')[0]?.trim().toLowerCase();
  return type || undefined;
}

function isJson(mediaType: string): boolean {
  return mediaType === 'application/json' || /^application\/[a-z0-9.+-]*\+json$/.test(mediaType);
}

export type BodyPlan =
  /** No body expected or sent: nothing to read. */
  | { kind: 'none' }
  /** A JSON body the operation describes: read it (bounded) and validate it. */
  | { kind: 'json' }
  /** A media type the operation accepts but the edge does not parse (multipart): stream it. */
  | { kind: 'opaque' }
  | { kind: 'unsupported'; accepted: string[] };

export function bodyPlan(operation: Operation, mediaType: string | undefined, hasBody: boolean): BodyPlan {
  const content = (operation.requestBody as { content?: Record<string, unknown> } | undefined)?.content;
  if (!content) return { kind: 'none' };
  const accepted = Object.keys(content).map((type) => type.toLowerCase());
  if (!hasBody && mediaType === undefined) return { kind: 'none' };
  if (mediaType === undefined) return { kind: 'unsupported', accepted };
  if (isJson(mediaType) && accepted.some(isJson)) return { kind: 'json' };
  if (accepted.includes(mediaType)) return { kind: 'opaque' };
  return { kind: 'unsupported', accepted };
}

export interface RequestParts {
  method: string;
  path: string;
  query: Record<string, string | string[]>;
  headers: Record<string, string | string[]>;
  /** The parsed JSON body (`undefined` when none was read). */
  body?: unknown;
  /** The body was not read (an opaque media type): its presence is not checked here. */
  opaqueBody?: boolean;
}

export function checkRequest(
  contract: LoadedContract,
  operation: Operation,
  parts: RequestParts,
): FieldError[] {
  const request = {
    method: parts.method.toLowerCase() === 'head' ? 'get' : parts.method.toLowerCase(),
    path: parts.path,
    query: parts.query,
    headers: parts.headers,
    ...(parts.body !== undefined && { body: parts.body }),
  };
  const result = contract.backend.validator.validateRequest(request, operation);
  let errors = result.errors ?? [];
  if (parts.opaqueBody) {
    // openapi-backend would ask for the body it was not given; an opaque body is the service's to check.
    errors = errors.filter(
      (error) =>
        !(
          error.keyword === 'required' &&
          (error.params as { missingProperty?: string }).missingProperty === 'requestBody'
        ),
    );
  }
  return fieldErrors(errors);
}
