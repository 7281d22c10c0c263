// The caller of a hapi request as the upstream client needs it, from what auth verified.
import type { EdgeRequest } from '../../contracts/plugin.ts';
import type { Caller } from '../../contracts/upstream.ts';

interface Credentials {
  kind?: string;
  userId?: string;
  roles?: string[];
  scopes?: string[];
  issuer?: string;
  keyId?: string;
  owner?: string;
}

export function callerOf(request: EdgeRequest): Caller {
  const ip = request.plugins.portico?.clientIp ?? request.info.remoteAddress;
  const credentials = (request.auth.isAuthenticated ? request.auth.credentials : undefined) as
    Credentials | undefined;
  if (!credentials) return { ip };
  if (credentials.kind === 'api-key')
    return {
      ip,
      apiKeyId: credentials.keyId,
      apiKeyOwner: credentials.owner,
      scopes: credentials.scopes ?? [],
    };
  return {
    ip,
    userId: credentials.userId,
    roles: credentials.roles ?? [],
    scopes: credentials.scopes ?? [],
    issuer: credentials.issuer,
  };
}

/** An AbortSignal that fires when the client goes away before its response finished. */
export function clientGoneSignal(request: EdgeRequest): AbortSignal {
  const controller = new AbortController();
  const res = request.raw.res;
  res.once('close', () => {
    if (!res.writableFinished)
      controller.abort(
        Object.assign(new Error('client closed the request'), { code: 'PORTICO_CLIENT_CLOSED' }),
      );
  });
  return controller.signal;
}
