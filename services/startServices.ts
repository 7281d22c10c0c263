// Starts all four services in one process (what tests use; `portico dev` runs each in its own
// process, gateway/cli/superviseServices.ts). They share one PGlite (a schema each) unless
// DATABASE_URL is set, and still import nothing of each other.
import { join } from 'node:path';
import { mkdir } from 'node:fs/promises';
import type { Logger } from 'pino';
import { createLogger, openPGlite, pgDatabase, pgliteDatabase, tokenVerifierFromEnv } from './kit/index.ts';
import type { Database, RunningService } from './kit/index.ts';
import { startIdentityService } from './identity/startIdentityService.ts';
import { DEFAULT_SERVICE_PORTS, DOMAIN_SERVICE_STARTERS } from './serviceCatalog.ts';
import type { ServiceName } from './serviceCatalog.ts';

export interface StartServicesOptions {
  ports?: Partial<Record<ServiceName, number>>;
  host?: string;
  logger?: Logger;
  env?: NodeJS.ProcessEnv;
}

export interface StartedServices {
  urls: Record<ServiceName, string>;
  /** The issuer identity puts in tokens (verify against `${issuer}/.well-known/jwks.json`). */
  issuer: string;
  stop(): Promise<void>;
}

/** Where each service's database comes from, and what to release after all have stopped. */
export interface DatabaseProvider {
  databaseFor(service: ServiceName): Database;
  /** Whether a service closes its own database on stop. */
  servicesOwnDatabases: boolean;
  close(): Promise<void>;
}

export async function defaultDatabaseProvider(env: NodeJS.ProcessEnv): Promise<DatabaseProvider> {
  if (env.DATABASE_URL) {
    const url = env.DATABASE_URL;
    return { databaseFor: () => pgDatabase(url), servicesOwnDatabases: true, close: async () => {} };
  }
  let dataDir: string | undefined;
  if (env.DATA_DIR) {
    dataDir = join(env.DATA_DIR, 'pglite', 'shared');
    await mkdir(dataDir, { recursive: true });
  }
  const pglite = await openPGlite(dataDir ? { dataDir } : {});
  return {
    databaseFor: () => pgliteDatabase(pglite, false),
    servicesOwnDatabases: false,
    close: () => pglite.close(),
  };
}

export async function startServices(options: StartServicesOptions = {}): Promise<StartedServices> {
  const env = options.env ?? process.env;
  return startServicesWith(await defaultDatabaseProvider(env), options);
}

export async function startServicesWith(
  provider: DatabaseProvider,
  options: StartServicesOptions = {},
): Promise<StartedServices> {
  const env = options.env ?? process.env;
  const logger = options.logger ?? createLogger();
  const host = options.host ?? '127.0.0.1';
  const ports = { ...DEFAULT_SERVICE_PORTS, ...options.ports };
  const started: RunningService[] = [];
  const stopAll = async () => {
    for (const service of started.reverse()) await service.stop();
    await provider.close();
  };

  try {
    const identity = await startIdentityService({
      db: provider.databaseFor('identity'),
      logger: logger.child({ service: 'identity' }),
      env,
      host,
      port: ports.identity,
      ownsDatabase: provider.servicesOwnDatabases,
    });
    started.push(identity);
    // In one process the services reach identity's JWKS at its real (maybe ephemeral) URL.
    const verifyToken = tokenVerifierFromEnv(
      { ...env, IDENTITY_ISSUER: identity.issuer },
      `${identity.url}/.well-known/jwks.json`,
    );
    const urls: Partial<Record<ServiceName, string>> = { identity: identity.url };
    for (const [name, start] of Object.entries(DOMAIN_SERVICE_STARTERS) as [
      ServiceName,
      (typeof DOMAIN_SERVICE_STARTERS)['programs'],
    ][]) {
      const service = await start({
        db: provider.databaseFor(name),
        logger: logger.child({ service: name }),
        env,
        verifyToken,
        host,
        port: ports[name],
        ownsDatabase: provider.servicesOwnDatabases,
      });
      started.push(service);
      urls[name] = service.url;
    }
    return { urls: urls as Record<ServiceName, string>, issuer: identity.issuer, stop: stopAll };
  } catch (error) {
    await stopAll().catch(() => {});
    throw error;
  }
}
