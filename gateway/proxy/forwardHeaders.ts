// Rewrites the incoming headers into the ones the upstream sees. http-proxy copies req.headers
// when it builds the upstream request, so the rewrite happens there, in place, just before.
import type { IncomingMessage } from 'node:http';
import { hopByHopNames } from './hopByHop.ts';

export interface ForwardContext {
  requestId: string;
  requestIdHeader: string;
  clientIp: string;
  /** "http" or "https", as the client reached the edge. */
  protocol: string;
}

export function rewriteForwardHeaders(req: IncomingMessage, context: ForwardContext): void {
  const headers = req.headers;
  const chunked = headers['transfer-encoding'];
  for (const name of hopByHopNames(headers)) delete headers[name];
  // A body without a length is re-framed as chunked on the upstream connection.
  if (chunked && headers['content-length'] === undefined) headers['transfer-encoding'] = 'chunked';

  const priorFor = headers['x-forwarded-for'];
  headers['x-forwarded-for'] = priorFor ? `${String(priorFor)}, ${context.clientIp}` : context.clientIp;
  headers['x-forwarded-proto'] = context.protocol;
  if (headers.host) headers['x-forwarded-host'] = headers.host;
  headers[context.requestIdHeader] = context.requestId;
}
