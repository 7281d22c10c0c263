// The admin listener's hapi server, shared by one gateway and by the primary of a cluster.
import Hapi from '@hapi/hapi';
import type { PorticoConfig } from '../config/schema.ts';

export function adminListener(config: PorticoConfig): Hapi.Server {
  return Hapi.server({
    host: config.server.admin.host,
    port: config.server.admin.port,
    debug: false,
    routes: { security: { noSniff: true, xframe: 'deny', hsts: false, xss: false, referrer: 'no-referrer' } },
  });
}
