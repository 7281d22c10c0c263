// How the BFF calls a service for a signed-in user: the session's access token as the bearer
// token (services verify it themselves), the caller and request id from the exchange context, and
// nothing the browser sent (no Cookie, no identity headers: the upstream client builds the headers
// from this call alone). A service's refusal becomes the same status for the browser, with its
// detail; anything unexpected is a 502.
import Boom from '@hapi/boom';
import type { Request } from '@hapi/hapi';
import type { GatewayContext } from '../../contracts/plugin.ts';
import type { Caller, UpstreamBody, UpstreamClient } from '../../contracts/upstream.ts';
import type { ActiveSession } from './sessions.ts';

export interface CallOptions {
  method?: string;
  path: string;
  json?: unknown;
  body?: UpstreamBody;
  headers?: Record<string, string | undefined>;
}

const PASSED_ON = new Set([400, 403, 404, 409, 413, 415, 422]);

export function sessionCaller(gateway: GatewayContext, request: Request, session: ActiveSession): Caller {
  const { caller } = gateway.exchangeContext(request);
  return { ip: caller.ip, userId: session.record.user.id, roles: session.record.user.roles };
}

/** One JSON exchange with a service as the session's user; resolves with the data of a 2xx. */
export async function callAs<T>(
  gateway: GatewayContext,
  client: UpstreamClient,
  request: Request,
  session: ActiveSession,
  call: CallOptions,
): Promise<T> {
  const { requestId, signal, trace } = gateway.exchangeContext(request);
  const reply = await client.json<T & { detail?: string }>({
    method: call.method ?? 'GET',
    path: call.path,
    json: call.json,
    body: call.body,
    headers: { ...call.headers, authorization: `Bearer ${session.record.accessToken}` },
    caller: sessionCaller(gateway, request, session),
    requestId,
    trace,
    signal,
  });
  if (reply.status >= 200 && reply.status < 300) return reply.data;
  const detail = typeof reply.data?.detail === 'string' ? reply.data.detail : undefined;
  if (reply.status === 401) throw Boom.unauthorized('The session is no longer accepted; sign in again.');
  if (PASSED_ON.has(reply.status))
    throw new Boom.Boom(detail ?? 'The request was refused.', { statusCode: reply.status });
  throw Boom.badGateway(`${client.upstream} answered ${reply.status}`);
}
