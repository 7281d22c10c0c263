// The hapi bootstrap every service shares: request ids and logs, problem+json errors,
// health routes, bearer auth, and validation failures that explain themselves.
import Hapi from '@hapi/hapi';
import type { Server } from '@hapi/hapi';
import type { Logger } from 'pino';
import type { Database } from '../db/Database.ts';
import { registerBearerAuth } from '../auth/bearerScheme.ts';
import type { TokenVerifier } from '../auth/tokenVerifier.ts';
import { registerHealthRoutes } from './health.ts';
import { registerProblemResponses } from './problems.ts';
import { registerRequestLogging } from './requestLogging.ts';

export interface ServiceServerOptions {
  host?: string;
  port?: number;
  logger: Logger;
  db: Database;
  verifyToken: TokenVerifier;
}

export function createServiceServer(options: ServiceServerOptions): Server {
  const server = Hapi.server({
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 0,
    routes: {
      validate: {
        // Our validators throw 400 problems already; hapi's default would hide their detail.
        failAction: (_request, _h, error) => {
          throw error;
        },
      },
      response: { emptyStatusCode: 204 },
    },
  });
  registerRequestLogging(server, options.logger);
  registerProblemResponses(server);
  registerBearerAuth(server, options.verifyToken);
  registerHealthRoutes(server, options.db);
  return server;
}
