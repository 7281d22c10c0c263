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
import { registerServiceTracing } from '../tracing/registerServiceTracing.ts';
import { serviceTracingFromEnv, type ServiceTracing } from '../tracing/serviceTracing.ts';

export interface ServiceServerOptions {
  host?: string;
  port?: number;
  logger: Logger;
  db: Database;
  verifyToken: TokenVerifier;
  /**
   * Spans per request, continuing the gateway's traceparent (kit/tracing). Default: from the
   * OTEL_* variables (serviceTracingFromEnv), off when no OTLP endpoint is set; false: off.
   * A tracing passed in is flushed when the server stops, and stays the caller's to shut down.
   */
  tracing?: ServiceTracing | false;
  /** The service's name in its spans; default the logger's `service` (or `name`) binding. */
  name?: string;
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
  const tracing = options.tracing ?? ownTracing(server, options);
  if (tracing) registerServiceTracing(server, tracing);
  registerProblemResponses(server);
  registerBearerAuth(server, options.verifyToken);
  registerHealthRoutes(server, options.db);
  return server;
}

/** Tracing from the environment (as the log level is), shut down with the server. */
function ownTracing(server: Server, options: ServiceServerOptions): ServiceTracing | undefined {
  const bindings = options.logger.bindings() as { service?: string; name?: string };
  const name = options.name ?? bindings.service ?? bindings.name ?? 'portico-service';
  const tracing = serviceTracingFromEnv(process.env, name);
  if (tracing) server.ext('onPostStop', () => tracing.shutdown());
  return tracing;
}
