// The error of a first request, handed to each request that waited on it: a copy each, because
// onPreResponse plugins write into a Boom's headers (a shared one would collect them all).
import Boom from '@hapi/boom';

export function cloneError(error: unknown): Error {
  if (Boom.isBoom(error)) {
    const copy = new Boom.Boom(error.message, { statusCode: error.output.statusCode, data: error.data });
    Object.assign(copy.output.headers, error.output.headers);
    return copy;
  }
  const original = error as NodeJS.ErrnoException;
  return Object.assign(new Error(original.message), { code: original.code });
}

/** Whether waiters may get the first request's error: an upstream failure or a Boom, not its client leaving. */
export function isShareableError(error: unknown): boolean {
  if (Boom.isBoom(error)) return true;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' && !CLIENTS_OWN.has(code);
}

// Failures of one client's own making: the others waiting on it go to the upstream themselves.
const CLIENTS_OWN = new Set(['PORTICO_CLIENT_CLOSED', 'PORTICO_BODY_TOO_LARGE']);
