// Assembles resources: migrations, the blob store, routes, GraphQL.
import { createServiceServer, migrate, mountGraphQL, serviceUrl } from '../kit/index.ts';
import type { RunningService, ServiceStartOptions } from '../kit/index.ts';
import { createLocalBlobStore } from './blobs/localBlobStore.ts';
import { blobLocation } from './config.ts';
import { resourceResolvers } from './graphql/resourceResolvers.ts';
import { resourceRoutes } from './routes/resourceRoutes.ts';

export const RESOURCES_SCHEMA = 'resources';

export async function startResourcesService(options: ServiceStartOptions): Promise<RunningService> {
  const { db, logger } = options;
  await migrate(db, RESOURCES_SCHEMA, new URL('./migrations', import.meta.url).pathname);
  const location = await blobLocation(options.env);
  const blobs = await createLocalBlobStore(location.root);
  const server = createServiceServer({
    host: options.host,
    port: options.port,
    logger,
    db,
    verifyToken: options.verifyToken,
  });
  server.route(resourceRoutes(db, blobs));
  mountGraphQL(server, {
    sdlFile: new URL('../../contracts/graphql/resources.graphql', import.meta.url),
    resolvers: resourceResolvers(db),
  });
  await server.start();
  logger.info({ url: server.info.uri, ephemeralBlobs: location.ephemeral }, 'resources started');
  return {
    url: serviceUrl(server),
    async stop() {
      await server.stop({ timeout: 10_000 });
      if (location.ephemeral) await blobs.destroy();
      if (options.ownsDatabase) await db.close();
    },
  };
}
