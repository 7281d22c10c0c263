// First step of every request: its id, the client's address, and the removal of identity
// headers a client may not set. Runs before any plugin. It also reports every response once it
// is sent (or the client left): the direct path and hapi's alike, for metrics and the access log.
import { randomUUID } from 'node:crypto';
import type { Server } from '@hapi/hapi';
import type { EdgeRequest, RequestContext } from '../../contracts/plugin.ts';
import type { PorticoConfig } from '../config/schema.ts';
import { isIdentityHeader } from '../upstream/identityHeaders.ts';
import { clientIp } from './clientIp.ts';

const WELL_FORMED_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Only the gateway may speak for the caller's identity; upstreams trust these. */
export function stripIdentityHeaders(headers: Record<string, unknown>): void {
  for (const name of Object.keys(headers)) {
    if (isIdentityHeader(name)) delete headers[name];
  }
}

export type ResponseSentListener = (
  request: EdgeRequest,
  sent: { status: number; durationMs: number },
) => void;

/** The request's context: its id, its client's address; the client's identity headers are dropped. */
export function openRequestContext(request: EdgeRequest, config: PorticoConfig['server']): RequestContext {
  const headers = request.headers as Record<string, string | undefined>;
  stripIdentityHeaders(headers);
  const { header, trustIncoming } = config.requestId;
  const incoming = headers[header];
  return {
    requestId: trustIncoming && incoming && WELL_FORMED_ID.test(incoming) ? incoming : randomUUID(),
    routeId: 'unmatched',
    clientIp: clientIp(request.info.remoteAddress, headers['x-forwarded-for'], config.trustedProxies),
  };
}

/** Calls `onSent` once the response is sent, or with 499 (nginx's "client closed request") when the client left first. */
export function reportWhenSent(request: EdgeRequest, onSent: ResponseSentListener): void {
  const res = request.raw.res;
  res.once('close', () =>
    onSent(request, {
      status: res.writableFinished ? res.statusCode : 499,
      durationMs: Date.now() - request.info.received,
    }),
  );
}

export function registerRequestContext(
  server: Server,
  config: PorticoConfig['server'],
  onSent: ResponseSentListener,
): void {
  server.ext('onRequest', (request, h) => {
    request.plugins.portico = openRequestContext(request, config);
    reportWhenSent(request, onSent);
    return h.continue;
  });

  server.ext('onPreAuth', (request, h) => {
    const app = request.route.settings.app as { routeId?: string; upstream?: string } | undefined;
    const context = request.plugins.portico!;
    if (app?.routeId) context.routeId = app.routeId;
    if (app?.upstream) context.upstream = app.upstream;
    return h.continue;
  });
}
