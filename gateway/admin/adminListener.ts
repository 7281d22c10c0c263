// The admin listener's hapi server, shared by one gateway and by the primary of a cluster.
import http from 'node:http';
import Hapi from '@hapi/hapi';
import type { PorticoConfig } from '../config/schema.ts';
import type { AdminToken } from './adminToken.ts';
import { requireAdminToken } from './requireAdminToken.ts';

/**
 * `bound: false`: a build's admin server, reached through the gateway's front admin listener.
 * Every route but the open probe routes asks for `token` (gateway/admin/requireAdminToken.ts).
 */
export function adminListener(
  config: PorticoConfig,
  { bound = true, token }: { bound?: boolean; token: AdminToken },
): Hapi.Server {
  const server = Hapi.server({
    ...(bound
      ? { host: config.server.admin.host, port: config.server.admin.port }
      : { listener: http.createServer(), autoListen: false, operations: { cleanStop: false } }),
    debug: false,
    routes: { security: { noSniff: true, xframe: 'deny', hsts: false, xss: false, referrer: 'no-referrer' } },
  });
  requireAdminToken(server, token);
  return server;
}
