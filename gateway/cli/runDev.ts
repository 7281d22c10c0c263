// `portico dev` (what `npm start` runs): the four domain services, each in its own child process on
// the port its upstream in the config names, and the gateway in front of them, on embedded
// defaults (no Redis, no Postgres server). Data persists in a git-ignored directory across restarts.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { TOKEN_ENV } from '../admin/adminToken.ts';
import type { Gateway } from '../createGateway.ts';
import type { PorticoConfig } from '../config/schema.ts';
import { createLogger } from '../observability/createLogger.ts';
import { DEFAULT_DEV_DATA_DIR, devAdminTokenFile, devDataDir } from './devDataDir.ts';
import type { reloadFromFile as ReloadFromFile } from './reloadFromFile.ts';
import { stopOnSignals } from './stopOnSignals.ts';
import { superviseServices, type SupervisedService, type SupervisedServices } from './superviseServices.ts';
import { watchParent } from './watchParent.ts';

export { DEFAULT_DEV_DATA_DIR };

const SERVICES = ['identity', 'programs', 'appointments', 'resources'] as const;
const DEFAULT_PORTS: Record<(typeof SERVICES)[number], number> = {
  identity: 7101,
  programs: 7102,
  appointments: 7103,
  resources: 7104,
};

export interface DevOptions {
  configFile?: string;
  /** Where the services' PGlite data lives (default .data/dev, or $PORTICO_DATA_DIR). */
  dataDir?: string;
  /** Start from empty databases (a new admin is generated). */
  fresh?: boolean;
}

/** A service listens where the config's upstream of the same name points, when that is this machine. */
function servicePort(config: PorticoConfig, name: (typeof SERVICES)[number]): number {
  const upstream = config.upstreams[name];
  if (!upstream) return DEFAULT_PORTS[name];
  const url = new URL(upstream.url);
  return url.port ? Number(url.port) : DEFAULT_PORTS[name];
}

export async function runDev(options: DevOptions): Promise<number> {
  // npm's `sh -c` dies on SIGTERM without passing it on: leaving with the parent is the same
  // stop. Watched from the first moment, so a parent gone while the stack starts is seen too
  // (before the signal handlers below exist, SIGTERM ends this process and its services follow
  // it through their IPC channel).
  watchParent(() => process.kill(process.pid, 'SIGTERM'));
  const logger = createLogger({ service: 'portico-dev' });
  const dataDir = devDataDir(options.dataDir);
  if (options.fresh) await rm(dataDir, { recursive: true, force: true });
  await mkdir(dataDir, { recursive: true });
  // Without DATABASE_URL (a real Postgres), one PGlite process serves all four services. It starts
  // first, before this process loads the config and with it every plugin: each service waits on
  // the database, so its start is the critical path of `npm start`.
  const socket = join(dataDir, 'pglite.sock');
  const database: SupervisedServices | undefined = process.env.DATABASE_URL
    ? undefined
    : superviseServices(
        [
          {
            name: 'database',
            entry: fileURLToPath(new URL('../../services/kit/db/pgliteHostMain.ts', import.meta.url)),
            env: { ...process.env, DATA_DIR: dataDir, PGLITE_SOCKET: socket },
          },
        ],
        logger,
      );

  const { chooseConfigFile, loadOrReport } = await import('./configFile.ts');
  const configFile = chooseConfigFile(options.configFile);
  const loaded = await loadOrReport(configFile);
  if (!loaded) {
    await database?.stop();
    return 1;
  }
  const identityUrl = `http://127.0.0.1:${servicePort(loaded.config, 'identity')}`;
  const issuer = process.env.IDENTITY_ISSUER ?? identityUrl;
  const serviceEnv: NodeJS.ProcessEnv = {
    ...process.env,
    HOST: '127.0.0.1',
    IDENTITY_ISSUER: issuer,
    IDENTITY_JWKS_URL: process.env.IDENTITY_JWKS_URL ?? `${identityUrl}/.well-known/jwks.json`,
    // Files (resources' blobs) live under the data directory too.
    DATA_DIR: dataDir,
    ...(database ? { PGLITE_SOCKET: socket } : {}),
  };
  const services: SupervisedService[] = [
    ...SERVICES.map((name) => ({
      name,
      entry: fileURLToPath(new URL(`../../services/${name}/main.ts`, import.meta.url)),
      env: { ...serviceEnv, PORT: String(servicePort(loaded.config, name)) },
    })),
  ];
  // The config history lives with the rest of dev's data (and --fresh starts it over).
  const written = (loaded.document as { versions?: { dir?: unknown } } | undefined)?.versions;
  if (written?.dir === undefined) loaded.config.versions.dir = join(dataDir, 'versions');
  const adminToken = await devAdminToken(loaded.config, dataDir);

  // The services start in their own processes while the gateway loads its plugins here: their
  // database start never blocks the gateway's event loop. The gateway listens once they are ready,
  // so no early request meets a refused upstream (and opens its breaker) or a busy event loop.
  const supervised = superviseServices(services, logger);
  const stopServices = async () => {
    await supervised.stop();
    await database?.stop();
  };
  let urls: Record<string, string>;
  let gateway: Gateway | undefined;
  let listening: { url: string; adminUrl: string };
  let reloadFile: typeof ReloadFromFile;
  try {
    const [{ createGateway }, { reloadFromFile }] = await Promise.all([
      import('../createGateway.ts'),
      import('./reloadFromFile.ts'),
    ]);
    reloadFile = reloadFromFile;
    [gateway, urls] = await Promise.all([
      createGateway(loaded, { adminToken: adminToken?.token }),
      supervised.ready,
      database?.ready,
    ]);
    listening = await gateway.start();
  } catch (error) {
    await Promise.allSettled([stopServices(), gateway?.stop()]);
    throw error;
  }
  console.error(
    `portico dev: gateway ${listening.url}, admin ${listening.adminUrl}, services ${Object.entries(urls)
      .filter(([name]) => name !== 'database')
      .map(([name, url]) => `${name} ${url} (pid ${supervised.pids()[name]})`)
      .join(
        ', ',
      )}\n  data: ${process.env.DATABASE_URL ? 'DATABASE_URL' : `${dataDir} (kept across restarts; --fresh starts clean)`}` +
      (adminToken ? `\n  admin token: ${adminToken.file} (portico keys and portico config read it)` : ''),
  );
  const reloads = reloadFile(configFile, gateway.versions!, gateway.server.portico.logger, {
    watchFile: loaded.config.versions.watch,
  });
  stopOnSignals(gateway, async () => {
    reloads.stop();
    await stopServices();
  });
  return -1;
}

/**
 * Out of the box the admin API needs a token too: without PORTICO_ADMIN_TOKEN or
 * server.admin.tokenFile, dev makes one in its data directory (only this user may read it) and
 * keeps it across restarts.
 */
async function devAdminToken(
  config: PorticoConfig,
  dataDir: string,
): Promise<{ token: string; file: string } | undefined> {
  if (process.env[TOKEN_ENV] || config.server.admin.tokenFile) return undefined;
  const file = devAdminTokenFile(dataDir);
  const existing = await readFile(file, 'utf8').catch(() => undefined);
  if (existing !== undefined && existing.trim().length >= 16) return { token: existing.trim(), file };
  const token = randomBytes(32).toString('base64url');
  await writeFile(file, `${token}\n`, { mode: 0o600 });
  return { token, file };
}
