// `/healthz`: the process answers. `/readyz`: it can reach its database.
import Boom from '@hapi/boom';
import type { Server } from '@hapi/hapi';
import type { Database } from '../db/Database.ts';

export function registerHealthRoutes(server: Server, db: Database): void {
  server.route([
    { method: 'GET', path: '/healthz', options: { auth: false }, handler: () => ({ status: 'ok' }) },
    {
      method: 'GET',
      path: '/readyz',
      options: { auth: false },
      async handler() {
        try {
          await db.ping();
        } catch {
          throw Boom.serverUnavailable('The database is not reachable.');
        }
        return { status: 'ready' };
      },
    },
  ]);
}
