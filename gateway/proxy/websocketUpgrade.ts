// WebSocket upgrades never enter hapi's request lifecycle: the listener's 'upgrade' event is
// matched against the route table here and handed to http-proxy on routes that allow it.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { randomUUID } from 'node:crypto';
import type { Server } from '@hapi/hapi';
import type { Logger } from 'pino';
import type { ProxyRouteApp, ProxyRouteRuntime } from '../routes/buildProxyRoutes.ts';
import { clientIp } from '../core/clientIp.ts';
import { forwardHeaders } from './forwardHeaders.ts';
import { upstreamPath } from './upstreamPath.ts';

export interface UpgradeOptions {
  requestIdHeader: string;
  trustedProxies: number;
  logger: Logger;
  /** The proxied routes' targets, by route id. */
  targets: ReadonlyMap<string, ProxyRouteRuntime>;
}

export function handleUpgrades(server: Server, options: UpgradeOptions): void {
  server.listener.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    let pathname: string;
    try {
      pathname = new URL(req.url ?? '/', 'http://gateway').pathname;
    } catch {
      return refuse(socket, 400, 'Bad Request');
    }
    const route = server.match('get', pathname);
    const app = route?.settings.app as ProxyRouteApp | undefined;
    const target = app?.kind === 'proxy' ? options.targets.get(app.routeId)?.target : undefined;
    if (!app || !target?.websocket || (req.headers.upgrade ?? '').toLowerCase() !== 'websocket') {
      return refuse(socket, 404, 'Not Found');
    }
    const resolved = upstreamPath(pathname, target.rewrite);
    if (!resolved.ok) return refuse(socket, 400, 'Bad Request');

    const requestId = randomUUID();
    const search = req.url?.includes('?') ? req.url.slice(req.url.indexOf('?')) : '';
    const upgrade = req.headers.upgrade;
    const connection = req.headers.connection;
    // Upgrades have no auth (a config rule), so no caller identity: only the client's address.
    const ip = clientIp(req.socket.remoteAddress, req.headers['x-forwarded-for'], options.trustedProxies);
    req.headers = forwardHeaders(req.headers, {
      requestId,
      requestIdHeader: options.requestIdHeader,
      caller: { ip },
      protocol: 'http',
    }) as typeof req.headers;
    // The upgrade itself is the one hop-by-hop exchange that must reach the upstream.
    req.headers.upgrade = upgrade;
    req.headers.connection = connection;
    req.url = resolved.path + search;
    target.upstream.proxy.ws(req, socket, head, { target: target.upstream.target }, (error) => {
      options.logger.warn(
        {
          event: 'upstream_error',
          requestId,
          upstream: app.upstream,
          kind: 'websocket',
          code: (error as NodeJS.ErrnoException).code,
        },
        'websocket proxy failed',
      );
      refuse(socket, 502, 'Bad Gateway');
    });
  });
}

function refuse(socket: Duplex, status: number, reason: string): void {
  if (socket.writable) {
    socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  }
  socket.destroy();
}
