// First step of every request: its id, the client's address, and the removal of identity
// headers a client may not set. Runs before any plugin. It also reports every response once it
// is sent (or the client left): the direct path and hapi's alike, for metrics and the access log.
import { randomUUID } from 'node:crypto';
import type { Request, Server } from '@hapi/hapi';
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

export type ResponseSentListener = (request: Request, sent: { status: number; durationMs: number }) => void;

export function registerRequestContext(
  server: Server,
  config: PorticoConfig['server'],
  onSent: ResponseSentListener,
): void {
  const { header, trustIncoming } = config.requestId;
  const { trustedProxies } = config;

  server.ext('onRequest', (request, h) => {
    const headers = request.headers as Record<string, string | undefined>;
    stripIdentityHeaders(headers);
    const incoming = headers[header];
    const requestId = trustIncoming && incoming && WELL_FORMED_ID.test(incoming) ? incoming : randomUUID();
    request.plugins.portico = {
      requestId,
      routeId: 'unmatched',
      clientIp: clientIp(request.info.remoteAddress, headers['x-forwarded-for'], trustedProxies),
    };
    const res = request.raw.res;
    // 499 (nginx's "client closed request") when the client left before the answer was sent.
    res.once('close', () =>
      onSent(request, {
        status: res.writableFinished ? res.statusCode : 499,
        durationMs: Date.now() - request.info.received,
      }),
    );
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
