// Every state-changing admin call that passed the token (a key created or revoked, a cache purge,
// any plugin's admin POST/PUT/PATCH/DELETE) is an audit event. Routes that write their own, richer
// audit events (the config versions) say so with `options.app.audited`.
import type { Request, ResponseObject, Server } from '@hapi/hapi';
import type { Boom } from '@hapi/boom';
import type { AdminRequestState } from './requireAdminToken.ts';

export interface AdminChange {
  method: string;
  path: string;
  status: number;
  /** Who said they made it (the `x-portico-actor` header the CLI sends; not verified). */
  actor: string;
  /** The id of the thing created or changed, when the answer names one (never anything else of it: a created key is in that answer). */
  target?: string;
}

const READ_METHODS = new Set(['get', 'head', 'options']);

export function auditAdminChanges(server: Server, onChange: (change: AdminChange) => void): void {
  server.ext('onPreResponse', (request: Request, h) => {
    const audited = (request.route.settings.app as { audited?: boolean } | undefined)?.audited === true;
    if (audited || READ_METHODS.has(request.method) || !(request.app as AdminRequestState).adminAuthorized)
      return h.continue;
    const response = request.response as ResponseObject | Boom;
    const status =
      'isBoom' in response && response.isBoom
        ? response.output.statusCode
        : (response as ResponseObject).statusCode;
    const source = 'isBoom' in response ? undefined : (response as ResponseObject).source;
    const id =
      source && typeof source === 'object' && 'id' in source ? (source as { id: unknown }).id : undefined;
    onChange({
      method: request.method.toUpperCase(),
      path: request.url.pathname + request.url.search,
      status,
      actor: actorOf(request),
      ...(typeof id === 'string' ? { target: id } : {}),
    });
    return h.continue;
  });
}

export function actorOf(request: Request): string {
  const header = request.headers['x-portico-actor'];
  return typeof header === 'string' && header.length > 0 && header.length <= 200 ? header : 'admin-token';
}
