// Assembles appointments: migrations, routes, GraphQL.
import { createServiceServer, migrate, mountGraphQL, serviceUrl } from '../kit/index.ts';
import type { RunningService, ServiceStartOptions } from '../kit/index.ts';
import { appointmentResolvers } from './graphql/appointmentResolvers.ts';
import { startPushDispatcher } from './push/pushDispatcher.ts';
import { readPushConfig } from './push/pushConfig.ts';
import { appointmentRoutes } from './routes/appointmentRoutes.ts';
import { mobileRoutes } from './routes/mobileRoutes.ts';

export const APPOINTMENTS_SCHEMA = 'appointments';

export async function startAppointmentsService(options: ServiceStartOptions): Promise<RunningService> {
  const { db, logger } = options;
  const pushConfig = readPushConfig(options.env);
  await migrate(db, APPOINTMENTS_SCHEMA, new URL('./migrations', import.meta.url).pathname);
  const server = createServiceServer({
    host: options.host,
    port: options.port,
    logger,
    db,
    verifyToken: options.verifyToken,
  });
  server.route(appointmentRoutes(db));
  server.route(mobileRoutes(db));
  mountGraphQL(server, {
    sdlFile: new URL('../../contracts/graphql/appointments.graphql', import.meta.url),
    resolvers: appointmentResolvers(db),
  });
  await server.start();
  const push = startPushDispatcher(db, pushConfig, logger);
  logger.info({ url: server.info.uri, push: pushConfig.project !== undefined }, 'appointments started');
  return {
    url: serviceUrl(server),
    async stop() {
      await push.stop();
      await server.stop({ timeout: 10_000 });
      if (options.ownsDatabase) await db.close();
    },
  };
}
