// `portico dev` (what `npm start` runs): the four domain services, each in its own child process on
// the port its upstream in the config names, and the gateway in front of them, on embedded
// defaults (no Redis, no Postgres server). Data persists in a git-ignored directory across restarts.
import { mkdir, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join, resolve } from 'node:path';
import { createGateway, type Gateway } from '../createGateway.ts';
import type { PorticoConfig } from '../config/schema.ts';
import { createLogger } from '../observability/createLogger.ts';
import { chooseConfigFile, loadOrReport } from './configFile.ts';
import { stopOnSignals } from './runStart.ts';
import { superviseServices, type SupervisedService } from './superviseServices.ts';
import { watchParent } from './watchParent.ts';

export const DEFAULT_DEV_DATA_DIR = fileURLToPath(new URL('../../.data/dev', import.meta.url));

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
  const loaded = await loadOrReport(chooseConfigFile(options.configFile));
  if (!loaded) return 1;
  const logger = createLogger({ service: 'portico-dev' });
  const dataDir = resolve(options.dataDir ?? process.env.PORTICO_DATA_DIR ?? DEFAULT_DEV_DATA_DIR);
  if (options.fresh) await rm(dataDir, { recursive: true, force: true });

  const identityUrl = `http://127.0.0.1:${servicePort(loaded.config, 'identity')}`;
  const issuer = process.env.IDENTITY_ISSUER ?? identityUrl;
  // Without DATABASE_URL (a real Postgres), one PGlite process serves all four services.
  const database: SupervisedService | undefined = process.env.DATABASE_URL
    ? undefined
    : {
        name: 'database',
        entry: fileURLToPath(new URL('../../services/kit/db/pgliteHostMain.ts', import.meta.url)),
        env: { ...process.env, DATA_DIR: dataDir, PGLITE_SOCKET: join(dataDir, 'pglite.sock') },
        stopLast: true,
      };
  const serviceEnv: NodeJS.ProcessEnv = {
    ...process.env,
    HOST: '127.0.0.1',
    IDENTITY_ISSUER: issuer,
    IDENTITY_JWKS_URL: process.env.IDENTITY_JWKS_URL ?? `${identityUrl}/.well-known/jwks.json`,
    // Files (resources' blobs) live under the data directory too.
    DATA_DIR: dataDir,
    ...(database ? { PGLITE_SOCKET: database.env.PGLITE_SOCKET } : {}),
  };
  const services: SupervisedService[] = [
    ...(database ? [database] : []),
    ...SERVICES.map((name) => ({
      name,
      entry: fileURLToPath(new URL(`../../services/${name}/main.ts`, import.meta.url)),
      env: { ...serviceEnv, PORT: String(servicePort(loaded.config, name)) },
    })),
  ];
  await mkdir(dataDir, { recursive: true });

  // The services start in their own processes while the gateway loads its plugins here: their
  // database start never blocks the gateway's event loop. The gateway listens once they are ready,
  // so no early request meets a refused upstream (and opens its breaker) or a busy event loop.
  const supervised = superviseServices(services, logger);
  let urls: Record<string, string>;
  let gateway: Gateway | undefined;
  try {
    [gateway, urls] = await Promise.all([createGateway(loaded), supervised.ready]);
    await gateway.start();
  } catch (error) {
    await Promise.allSettled([supervised.stop(), gateway?.stop()]);
    throw error;
  }
  console.error(
    `portico dev: gateway ${gateway.server.info.uri}, admin ${gateway.admin.info.uri}, services ${Object.entries(
      urls,
    )
      .filter(([name]) => name !== 'database')
      .map(([name, url]) => `${name} ${url} (pid ${supervised.pids()[name]})`)
      .join(
        ', ',
      )}\n  data: ${process.env.DATABASE_URL ? 'DATABASE_URL' : `${dataDir} (kept across restarts; --fresh starts clean)`}`,
  );
  stopOnSignals(gateway, () => supervised.stop());
  // npm's `sh -c` dies on SIGTERM without passing it on: leaving with the parent is the same drain.
  watchParent(() => process.kill(process.pid, 'SIGTERM'));
  return -1;
}
