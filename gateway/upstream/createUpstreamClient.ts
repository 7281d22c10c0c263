// A typed client for one upstream on behalf of one route: builds the outgoing exchange (identity
// headers from the verified caller, the request id, a JSON body), sends it through the route's
// pipeline and turns transport failures into the same problem+json errors a proxied route gives.
import Boom from '@hapi/boom';
import type { JsonReply, UpstreamCall, UpstreamClient, UpstreamReply } from '../../contracts/upstream.ts';
import { readReplyBody } from '../../contracts/upstream.ts';
import { boomForUpstreamError, classifyUpstreamError, type UpstreamErrorKind } from '../proxy/proxyErrors.ts';
import type { Upstream } from '../proxy/createUpstream.ts';
import { setIdentityHeaders } from './identityHeaders.ts';
import type { UndiciExchange } from './undiciTransport.ts';

export interface UpstreamClientHooks {
  requestIdHeader: string;
  send(exchange: UndiciExchange): Promise<UpstreamReply>;
  onUpstreamError(upstream: string, kind: UpstreamErrorKind): void;
}

export function createUpstreamClient(
  upstream: Upstream,
  routeId: string,
  hooks: UpstreamClientHooks,
): UpstreamClient {
  const timeout = upstream.config.timeout;

  async function request(call: UpstreamCall): Promise<UpstreamReply> {
    const headers: Record<string, string | string[] | undefined> = {};
    for (const [name, value] of Object.entries(call.headers ?? {})) {
      if (value !== undefined) headers[name.toLowerCase()] = value;
    }
    // Never forwarded from a handler's call: the browser's session, a hop-by-hop header, a stale length.
    delete headers['cookie'];
    delete headers['host'];
    delete headers['connection'];
    delete headers['content-length'];
    delete headers['transfer-encoding'];
    setIdentityHeaders(headers, call.caller);
    headers[hooks.requestIdHeader] = call.requestId;
    headers['x-forwarded-for'] = call.caller.ip;
    let body = call.body;
    if (call.json !== undefined) {
      body = JSON.stringify(call.json);
      headers['content-type'] = 'application/json';
    }
    try {
      return await hooks.send({
        method: call.method.toUpperCase(),
        path: upstream.basePath + call.path,
        headers,
        body,
        signal: call.signal,
        timeout: call.timeout ?? timeout,
      });
    } catch (error) {
      if (Boom.isBoom(error)) throw error;
      if ((error as { code?: string }).code === 'PORTICO_CLIENT_CLOSED' || call.signal?.aborted)
        throw Boom.clientTimeout('the exchange was aborted');
      const kind = classifyUpstreamError(error as NodeJS.ErrnoException);
      hooks.onUpstreamError(upstream.name, kind);
      throw boomForUpstreamError(kind, upstream.name);
    }
  }

  return {
    upstream: upstream.name,
    routeId,
    request,
    async json<T>(call: UpstreamCall): Promise<JsonReply<T>> {
      const reply = await request({ ...call, headers: { accept: 'application/json', ...call.headers } });
      const raw = await readReplyBody(reply);
      let data: unknown;
      if (raw.length > 0) {
        try {
          data = JSON.parse(raw.toString('utf8'));
        } catch {
          throw Boom.badGateway(
            `upstream "${upstream.name}" answered ${reply.status} with a body that is not JSON`,
          );
        }
      }
      return { status: reply.status, headers: reply.headers, data: data as T };
    },
  };
}
