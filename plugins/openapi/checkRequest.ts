// Matching a request to an operation of a contract and checking it, with no hapi in sight:
// what to do is decided from the method, path, media type and the parsed parts.
import type { Operation } from 'openapi-backend';
import { fieldErrors, type FieldError } from './fieldErrors.ts';
import type { LoadedContract } from './loadContract.ts';

export type OperationMatch =
  | { kind: 'operation'; operation: Operation }
  | { kind: 'not-found' }
  | { kind: 'method-not-allowed'; allow: string[] };

interface CompiledPath {
  pattern: RegExp;
  /** Length of the path without its templates: a literal segment beats a parameter. */
  specificity: number;
  byMethod: Map<string, Operation>;
}

/** The operations' paths as regular expressions, most specific first: compiled once, at start. */
export interface OperationRouter {
  paths: CompiledPath[];
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function compileRouter(operations: readonly Operation[]): OperationRouter {
  const byPath = new Map<string, CompiledPath>();
  for (const operation of operations) {
    let entry = byPath.get(operation.path);
    if (!entry) {
      const pattern = operation.path
        .split(/\{[^}]+\}/)
        .map(escapeRegExp)
        .join('[^/]+');
      entry = {
        pattern: new RegExp(`^${pattern}$`),
        specificity: operation.path.replace(/\{[^}]+\}/g, '').length,
        byMethod: new Map(),
      };
      byPath.set(operation.path, entry);
    }
    entry.byMethod.set(operation.method.toUpperCase(), operation);
  }
  return { paths: [...byPath.values()].sort((a, b) => b.specificity - a.specificity) };
}

/** `path` is the request's whole path; the contract's prefix is taken off (a trailing slash is ignored). */
export function matchOperation(contract: LoadedContract, method: string, path: string): OperationMatch {
  let relative = path.slice(contract.prefix.length) || '/';
  while (relative.length > 1 && relative.endsWith('/')) relative = relative.slice(0, -1);
  // A HEAD is answered from the GET route (hapi does the same).
  const asked = method.toUpperCase() === 'HEAD' ? 'GET' : method.toUpperCase();
  const allow = new Set<string>();
  for (const candidate of contract.router.paths) {
    if (!candidate.pattern.test(relative)) continue;
    const operation = candidate.byMethod.get(asked);
    if (operation) return { kind: 'operation', operation };
    for (const name of candidate.byMethod.keys()) allow.add(name);
  }
  return allow.size === 0 ? { kind: 'not-found' } : { kind: 'method-not-allowed', allow: [...allow] };
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
