// Status-and-shape checks for the shapes in contracts/API.md. Every response the scripts receive
// goes through `checkResponse`, so the `checks` threshold covers all of them.
import { check } from 'k6';

export const TOKEN_FIELDS = ['access_token', 'token_type', 'expires_in', 'refresh_token'];
export const USER_FIELDS = ['id', 'email', 'name', 'roles'];
export const PROGRAM_FIELDS = [
  'id',
  'guid',
  'title',
  'summary',
  'category',
  'link',
  'startsAt',
  'endsAt',
  'updatedAt',
];
// API.md names no appointment fields beyond what a client sends and may update.
export const APPOINTMENT_FIELDS = ['id', 'serviceType', 'startsAt', 'status'];
export const RESOURCE_FIELDS = [
  'id',
  'title',
  'description',
  'contentType',
  'size',
  'version',
  'etag',
  'createdAt',
];
export const PROBLEM_FIELDS = ['type', 'title', 'status'];

export function parseJson(res) {
  try {
    return res.json();
  } catch {
    return null;
  }
}

export function hasFields(value, fields) {
  return (
    value !== null &&
    typeof value === 'object' &&
    fields.every((field) => Object.prototype.hasOwnProperty.call(value, field))
  );
}

/** `{ items, nextCursor }` with every item of the given shape. */
export function isListOf(body, itemFields) {
  return (
    hasFields(body, ['items', 'nextCursor']) &&
    Array.isArray(body.items) &&
    (body.nextCursor === null || typeof body.nextCursor === 'string') &&
    body.items.every((item) => hasFields(item, itemFields))
  );
}

export function isTokenResponse(body) {
  return (
    hasFields(body, TOKEN_FIELDS) &&
    typeof body.access_token === 'string' &&
    body.token_type === 'Bearer' &&
    typeof body.expires_in === 'number' &&
    body.expires_in > 0 &&
    typeof body.refresh_token === 'string'
  );
}

/**
 * Checks the status against `statuses` and, for a status listed in `shapes`, the parsed body
 * (and the response, for headers) against that predicate. Returns `{ ok, status, body }` so callers branch on what they got.
 */
export function checkResponse(res, name, statuses, shapes = {}) {
  const body = shapes[res.status] ? parseJson(res) : null;
  const ok = check(
    res,
    {
      [`${name}: status ${statuses.join(' or ')}`]: (r) => statuses.includes(r.status),
      [`${name}: body shape`]: (r) => !shapes[r.status] || shapes[r.status](body, r),
    },
    // The endpoint name tags the check samples too, so `checks{name:...}` thresholds work.
    { name },
  );
  return { ok, status: res.status, body };
}
