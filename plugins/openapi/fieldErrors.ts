// Ajv's errors as a client reads them: a JSON pointer into the request (`/body/startsAt`,
// `/query/limit`, `/headers/idempotency-key`, `/path/id`) and what is wrong there.
import type { ErrorObject } from 'ajv';

export interface FieldError {
  path: string;
  message: string;
}

const ROOTS: Record<string, string> = {
  requestBody: 'body',
  header: 'headers',
  path: 'path',
  query: 'query',
  cookie: 'cookies',
};

function escapeToken(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** `/requestBody/startsAt` → `/body/startsAt`; `/header/x` → `/headers/x`. */
function requestPointer(instancePath: string): string {
  const [, root, ...rest] = instancePath.split('/');
  if (root === undefined || root === '') return '';
  return ['', ROOTS[root] ?? root, ...rest].join('/');
}

export function fieldErrors(errors: readonly ErrorObject[]): FieldError[] {
  const seen = new Set<string>();
  const out: FieldError[] = [];
  for (const error of errors) {
    let path = requestPointer(error.instancePath);
    let message = error.message ?? 'is invalid';
    const params = error.params as Record<string, unknown>;
    if (error.keyword === 'required' && typeof params.missingProperty === 'string') {
      path =
        params.missingProperty === 'requestBody' ? '/body' : `${path}/${escapeToken(params.missingProperty)}`;
      if (path.startsWith('/requestBody')) path = requestPointer(path);
      message = 'is required';
    } else if (error.keyword === 'additionalProperties' && typeof params.additionalProperty === 'string') {
      path = `${path}/${escapeToken(params.additionalProperty)}`;
      message = 'is not allowed';
    } else if (error.keyword === 'parse') {
      path = '/body';
      message = 'is not valid JSON';
    }
    // The root objects openapi-backend builds (path, query, header) have no pointer of their own.
    if (path === '') path = '/';
    const key = `${path}\0${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ path, message });
  }
  return out;
}

export function describeFieldErrors(errors: readonly FieldError[]): string {
  return errors.map((error) => `${error.path}: ${error.message}`).join('; ');
}
