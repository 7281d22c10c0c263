// Assembles programs: migrations, the first sync when the catalog is empty, the sync schedule,
// routes, GraphQL.
import { Cron } from 'croner';
import { createServiceServer, migrate, mountGraphQL, serviceUrl } from '../kit/index.ts';
import type { RunningService, ServiceStartOptions } from '../kit/index.ts';
import { readProgramsConfig } from './config.ts';
import { programResolvers } from './graphql/programResolvers.ts';
import { catalogIsEmpty } from './programStore.ts';
import { programRoutes } from './routes/programRoutes.ts';
import { syncPrograms } from './sync/syncPrograms.ts';

export const PROGRAMS_SCHEMA = 'programs';

export async function startProgramsService(options: ServiceStartOptions): Promise<RunningService> {
  const { db, logger } = options;
  const config = readProgramsConfig(options.env);
  await migrate(db, PROGRAMS_SCHEMA, new URL('./migrations', import.meta.url).pathname);
  // Right away on an empty catalog, so a fresh start lists programs; later runs follow the cron.
  if (await catalogIsEmpty(db)) await syncPrograms(db, config, logger, 'start');

  const server = createServiceServer({
    host: options.host,
    port: options.port,
    logger,
    db,
    verifyToken: options.verifyToken,
  });
  server.route(programRoutes(db, config));
  mountGraphQL(server, {
    sdlFile: new URL('../../contracts/graphql/programs.graphql', import.meta.url),
    resolvers: programResolvers(db),
  });
  await server.start();

  const schedule = config.syncCron
    ? new Cron(config.syncCron, { protect: true }, async () => {
        try {
          await syncPrograms(db, config, logger, 'schedule');
        } catch (error) {
          logger.error({ err: error }, 'scheduled programs sync failed');
        }
      })
    : undefined;

  logger.info({ url: server.info.uri, feeds: config.feeds.length }, 'programs started');
  return {
    url: serviceUrl(server),
    async stop() {
      schedule?.stop();
      await server.stop({ timeout: 10_000 });
      if (options.ownsDatabase) await db.close();
    },
  };
}
