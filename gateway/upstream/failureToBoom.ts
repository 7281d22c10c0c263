// What a client sees when an exchange fails: the Boom a step raised as it is, 413 for a body over
// the limit, nothing for a client that left, and 502/504 problem+json for the upstream's failures.
import Boom from '@hapi/boom';
import { boomForUpstreamError, classifyUpstreamError, type UpstreamErrorKind } from '../proxy/proxyErrors.ts';

export const CLIENT_GONE = Symbol('client gone');

export type UpstreamErrorListener = (
  upstream: string,
  kind: UpstreamErrorKind,
  error: NodeJS.ErrnoException,
  requestId: string,
) => void;

export function failureToBoom(
  error: unknown,
  upstream: string,
  requestId: string,
  onUpstreamError: UpstreamErrorListener,
): Boom.Boom | typeof CLIENT_GONE {
  if (Boom.isBoom(error)) return error;
  const code = (error as { code?: string }).code;
  if (code === 'PORTICO_BODY_TOO_LARGE') return Boom.entityTooLarge((error as Error).message);
  if (code === 'PORTICO_CLIENT_CLOSED') return CLIENT_GONE;
  const kind = classifyUpstreamError(error as NodeJS.ErrnoException);
  onUpstreamError(upstream, kind, error as NodeJS.ErrnoException, requestId);
  return boomForUpstreamError(kind, upstream);
}
