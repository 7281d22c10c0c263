// The headers the upstream sees, made from the client's: hop-by-hop headers dropped, the
// forwarding headers and the request id set, identity only from the verified caller.
import type { IncomingHttpHeaders } from 'node:http';
import type { Caller } from '../../contracts/upstream.ts';
import { setIdentityHeaders } from '../upstream/identityHeaders.ts';
import { hopByHopNames } from './hopByHop.ts';

export interface ForwardContext {
  requestId: string;
  requestIdHeader: string;
  caller: Caller;
  /** "http" or "https", as the client reached the edge. */
  protocol: string;
}

export function forwardHeaders(
  incoming: IncomingHttpHeaders,
  context: ForwardContext,
): Record<string, string | string[] | undefined> {
  const headers: Record<string, string | string[] | undefined> = { ...incoming };
  const chunked = headers['transfer-encoding'];
  for (const name of hopByHopNames(incoming)) delete headers[name];
  // A body without a length is re-framed as chunked on the upstream connection.
  if (chunked && headers['content-length'] === undefined) headers['transfer-encoding'] = 'chunked';

  const clientIp = context.caller.ip;
  const priorFor = headers['x-forwarded-for'];
  headers['x-forwarded-for'] = priorFor ? `${String(priorFor)}, ${clientIp}` : clientIp;
  headers['x-forwarded-proto'] = context.protocol;
  if (headers.host) headers['x-forwarded-host'] = headers.host;
  headers[context.requestIdHeader] = context.requestId;
  setIdentityHeaders(headers, context.caller);
  return headers;
}
