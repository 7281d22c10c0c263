// Assembles identity: migrations, signing keys, the first admin, routes, GraphQL, key rotation.
import { Cron } from 'croner';
import type { Logger } from 'pino';
import { createServiceServer, createTokenVerifier, migrate, mountGraphQL, serviceUrl } from '../kit/index.ts';
import type { Database, RunningService } from '../kit/index.ts';
import { bootstrapAdmin } from './bootstrapAdmin.ts';
import { readIdentityConfig } from './config.ts';
import { identityResolvers } from './graphql/identityResolvers.ts';
import type { IdentityContext } from './identityContext.ts';
import { createSigningKeys } from './keys/signingKeys.ts';
import { createPasswordHasher } from './passwords/passwordHash.ts';
import { authRoutes } from './routes/authRoutes.ts';
import { userRoutes } from './routes/userRoutes.ts';
import { wellKnownRoutes } from './routes/wellKnownRoutes.ts';
import { createIdTokenVerifier } from './sso/idTokenVerifier.ts';

export interface IdentityServiceOptions {
  db: Database;
  logger: Logger;
  env: NodeJS.ProcessEnv;
  host?: string;
  port?: number;
  /** Close the database on stop (true when the service owns it). */
  ownsDatabase?: boolean;
}

export interface RunningIdentityService extends RunningService {
  issuer: string;
}

export const IDENTITY_SCHEMA = 'identity';

export async function startIdentityService(options: IdentityServiceOptions): Promise<RunningIdentityService> {
  const { db, logger } = options;
  const config = readIdentityConfig(options.env);
  await migrate(db, IDENTITY_SCHEMA, new URL('./migrations', import.meta.url).pathname);
  const keys = createSigningKeys(db, config.keyTimeline);
  await keys.active();

  // Filled in once the server listens (port 0 picks one); the issuer is read per request.
  const listening: { port?: number } = {};
  const issuer = () => config.issuer ?? `http://127.0.0.1:${listening.port ?? 7101}`;
  const ctx: IdentityContext = {
    db,
    config,
    keys,
    passwords: createPasswordHasher(config.scryptLog2Cost),
    issuer,
    verifyIdToken: config.sso ? createIdTokenVerifier(config.sso) : undefined,
    logger,
  };
  const server = createServiceServer({
    host: options.host,
    port: options.port,
    logger,
    db,
    // Identity verifies its own tokens with its own keys: no HTTP round trip to itself.
    verifyToken: createTokenVerifier({ keys: keys.verifyKey, issuer, audience: config.audience }),
  });
  server.route([...authRoutes(ctx), ...userRoutes(ctx), ...wellKnownRoutes(ctx)]);
  mountGraphQL(server, {
    sdlFile: new URL('../../contracts/graphql/identity.graphql', import.meta.url),
    resolvers: identityResolvers(ctx),
  });

  await bootstrapAdmin(db, config, ctx.passwords, logger);
  await server.start();
  listening.port = server.info.port as number;

  const rotation = config.keyRotationCron
    ? new Cron(config.keyRotationCron, { protect: true }, async () => {
        try {
          const { kid, activatesAt } = await keys.rotate();
          logger.info({ kid, activatesAt }, 'signing key published; it signs from activatesAt (schedule)');
        } catch (error) {
          logger.error({ err: error }, 'scheduled key rotation failed');
        }
      })
    : undefined;

  logger.info({ url: server.info.uri, issuer: issuer() }, 'identity started');
  return {
    url: serviceUrl(server),
    issuer: issuer(),
    async stop() {
      rotation?.stop();
      await server.stop({ timeout: 10_000 });
      if (options.ownsDatabase) await db.close();
    },
  };
}
