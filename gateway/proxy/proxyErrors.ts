// Maps what can go wrong between the gateway and an upstream onto the status a client should see.
import Boom from '@hapi/boom';

export type UpstreamErrorKind =
  'connect_timeout' | 'response_timeout' | 'refused' | 'reset' | 'dns' | 'other';

export class UpstreamTimeout extends Error {
  readonly code: 'PORTICO_CONNECT_TIMEOUT' | 'PORTICO_RESPONSE_TIMEOUT';
  constructor(readonly kind: 'connect_timeout' | 'response_timeout') {
    super(kind === 'connect_timeout' ? 'upstream connect timeout' : 'upstream response timeout');
    this.code = kind === 'connect_timeout' ? 'PORTICO_CONNECT_TIMEOUT' : 'PORTICO_RESPONSE_TIMEOUT';
  }
}

export function classifyUpstreamError(error: NodeJS.ErrnoException): UpstreamErrorKind {
  switch (error.code) {
    case 'PORTICO_CONNECT_TIMEOUT':
      return 'connect_timeout';
    case 'PORTICO_RESPONSE_TIMEOUT':
      return 'response_timeout';
    case 'ECONNREFUSED':
      return 'refused';
    case 'ECONNRESET':
    case 'EPIPE':
      return 'reset';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'dns';
    default:
      return 'other';
  }
}

export function boomForUpstreamError(kind: UpstreamErrorKind, upstream: string): Boom.Boom {
  const timedOut = kind === 'connect_timeout' || kind === 'response_timeout';
  // The detail names the upstream and what happened, never addresses or stack traces.
  const detail = timedOut
    ? `upstream "${upstream}" did not answer in time (${kind.replace('_', ' ')})`
    : `upstream "${upstream}" could not be reached (${kind})`;
  return timedOut ? Boom.gatewayTimeout(detail) : Boom.badGateway(detail);
}
