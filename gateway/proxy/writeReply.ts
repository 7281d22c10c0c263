// The direct response path of proxied routes: the upstream's head, less its hop-by-hop headers,
// plus the response-header steps, written straight to the client; the body is piped untouched.
import type { EdgeRequest, ResponseHeaderStep } from '../../contracts/plugin.ts';
import type { UpstreamReply } from '../../contracts/upstream.ts';
import { hopByHopNames } from './hopByHop.ts';

export function writeReply(
  request: EdgeRequest,
  reply: UpstreamReply,
  steps: readonly ResponseHeaderStep[],
): void {
  const res = request.raw.res;
  const headers: Record<string, string | string[] | number | undefined> = { ...reply.headers };
  for (const name of hopByHopNames(reply.headers)) delete headers[name];
  for (const step of steps) step(request, headers);
  for (const name in headers) if (headers[name] === undefined) delete headers[name];
  res.writeHead(reply.status, headers as Record<string, string | string[] | number>);
  // pipe, not stream.pipeline: pipeline's own AbortController, aborted (with a DOMException) at
  // every finish, cost about 8% of a proxied request's CPU in a profile.
  const body = reply.body;
  // An upstream that breaks off mid-body leaves the client a cut-off answer, never a stuck one.
  const cutOff = () => res.destroy();
  body.once('error', cutOff);
  body.once('aborted', cutOff);
  res.once('close', () => {
    if (!res.writableFinished) body.destroy();
  });
  body.pipe(res);
}

/** The same answer for hapi's response path: hapi copies a stream's statusCode and headers. */
export function asPassThrough(reply: UpstreamReply): UpstreamReply['body'] {
  const body = reply.body as UpstreamReply['body'] & { statusCode?: number; headers?: unknown };
  if (body.statusCode !== reply.status) body.statusCode = reply.status;
  if (body.headers !== reply.headers) body.headers = reply.headers;
  return body;
}
