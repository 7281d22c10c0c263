// The admin listener's hapi server, shared by one gateway and by the primary of a cluster.
import http from 'node:http';
import Hapi from '@hapi/hapi';
import type { PorticoConfig } from '../config/schema.ts';

/** `bound: false`: a build's admin server, reached through the gateway's front admin listener. */
export function adminListener(
  config: PorticoConfig,
  { bound = true }: { bound?: boolean } = {},
): Hapi.Server {
  return Hapi.server({
    ...(bound
      ? { host: config.server.admin.host, port: config.server.admin.port }
      : { listener: http.createServer(), autoListen: false, operations: { cleanStop: false } }),
    debug: false,
    routes: { security: { noSniff: true, xframe: 'deny', hsts: false, xss: false, referrer: 'no-referrer' } },
  });
}
