// The gateway: a thin surface (as hapi's server.js over core.js) over a long-lived runtime, the
// current build of the config, the front listeners that outlive builds, and the config history
// (gateway/versions/). A reload builds the new config beside the running one and swaps them
// atomically; requests already dispatched finish on the build they started on.
import type http from 'node:http';
import { hostname } from 'node:os';
import type Hapi from '@hapi/hapi';
import type { Logger } from 'pino';
import type { Readiness } from './admin/readiness.ts';
import { buildGateway, type BuildExtras, type GatewayBuild } from './buildGateway.ts';
import { ConfigError } from './config/configIssues.ts';
import type { LoadedConfig } from './config/loadConfigFile.ts';
import { createListener } from './core/createListener.ts';
import { createFrontListener } from './core/frontListener.ts';
import { createLogger } from './observability/createLogger.ts';
import type { GatewayMetrics } from './observability/gatewayMetrics.ts';
import type { PluginOrderEntry } from './registry/orderPlugins.ts';
import { createRuntime, type Runtime } from './runtime/createRuntime.ts';
import { createVersionAgent, type VersionAgent } from './versions/createVersionAgent.ts';
import { openVersionStore } from './versions/openVersionStore.ts';
import { resolveVersion } from './versions/resolveVersion.ts';
import { versionAdminRoutes } from './versions/versionAdminRoutes.ts';

export interface GatewayOptions {
  logger?: Logger;
  /** false: no admin listener (cluster workers: the primary serves the admin API). Default true. */
  admin?: boolean;
  /**
   * The admin token, chosen by the embedder (`portico dev` generates one, tests make one); else
   * PORTICO_ADMIN_TOKEN, else server.admin.tokenFile, else state-changing admin routes refuse.
   */
  adminToken?: string;
  /** false: no config history of its own (cluster workers: the primary keeps it). Default true. */
  versions?: boolean;
}

export interface ReloadOptions {
  /** Runs once the new build stands, before the swap; throwing refuses the swap (the new build is stopped). */
  beforeSwap?: () => Promise<void>;
}

export interface Gateway {
  /** The current build's hapi server. */
  readonly server: Hapi.Server;
  /** The current build's admin server. */
  readonly admin: Hapi.Server;
  readonly build: GatewayBuild;
  /** The public listening socket (it outlives builds). */
  readonly listener: http.Server;
  readonly runtime: Runtime;
  readonly readiness: Readiness;
  readonly metrics: GatewayMetrics;
  readonly pluginOrder: PluginOrderEntry[];
  /** The config history of this instance: versions, acknowledgements, audit (undefined for cluster workers). */
  readonly versions: VersionAgent | undefined;
  /** Opens both listeners; resolves with their URLs. */
  start(): Promise<{ url: string; adminUrl: string }>;
  /**
   * Builds `loaded` beside the running config and swaps to it; resolves once new requests reach
   * the new build (in-flight requests finish on the old one, which is stopped in the background).
   * Rejects (and changes nothing) when the new config cannot be built.
   */
  reload(loaded: LoadedConfig, options?: ReloadOptions): Promise<void>;
  /** SIGTERM semantics: readiness 503, wait the drain delay, stop taking connections, let in-flight requests finish. */
  drain(): Promise<void>;
  /** Stops at once (tests). */
  stop(): Promise<void>;
}

export async function createGateway(loaded: LoadedConfig, options: GatewayOptions = {}): Promise<Gateway> {
  const logger = options.logger ?? createLogger();
  const runtime = createRuntime(loaded.config, logger);
  const versions =
    options.versions === false
      ? undefined
      : createVersions(loaded, runtime, logger, (next, reload) => gateway.reload(next, reload));
  const extras: BuildExtras = {
    adminToken: options.adminToken,
    adminRoutes: versions ? () => versionAdminRoutes(versions) : undefined,
    onAdminChange: versions
      ? ({ actor, ...change }) => versions.audit({ action: 'admin.change', actor, detail: { ...change } })
      : undefined,
  };
  let current: GatewayBuild;
  try {
    current = await buildGateway(loaded, runtime, extras);
  } catch (error) {
    await runtime.stop();
    throw error;
  }
  // Edge connection limits (server.limits) live on the listening socket, which outlives builds.
  const front = createFrontListener(createListener(loaded.config.server.limits));
  const adminFront = createFrontListener();
  const withAdmin = options.admin !== false;
  let reloading: Promise<void> = Promise.resolve();

  async function startBuild(build: GatewayBuild): Promise<void> {
    // Not listening (the front listeners are): start() runs each plugin's onPreStart/onPostStart.
    await build.server.start();
    await build.admin.start();
  }

  function serve(build: GatewayBuild): void {
    front.listener.keepAliveTimeout = build.loaded.config.server.keepAliveTimeout;
    front.serve(build.server, build.fast);
    adminFront.serve(build.admin);
    runtime.readiness.track([...build.upstreams.values()]);
  }

  async function reloadNow(next: LoadedConfig, reload: ReloadOptions = {}): Promise<void> {
    if (JSON.stringify(next.config.redis) !== JSON.stringify(runtime.redisConfig)) {
      throw new ConfigError([
        { path: 'redis', message: 'the Redis connection cannot change on reload: restart the gateway' },
      ]);
    }
    const build = await buildGateway(next, runtime, extras);
    try {
      await startBuild(build);
      await reload.beforeSwap?.();
    } catch (error) {
      await build.stop();
      throw error;
    }
    const retired = current;
    current = build;
    serve(build);
    logger.info({ event: 'config_reloaded', source: next.source }, 'config reloaded');
    // The reload is done once new requests reach the new build; the old one finishes what it was
    // given and lets go of its plugins' resources in the background (stop and drain wait for it).
    retire(retired);
  }

  const retiring = new Set<Promise<void>>();
  function retire(build: GatewayBuild): void {
    const { timeout } = build.loaded.config.server.drain;
    // The admin call that asked for this reload (a push) is still answering on the old admin server.
    const done = Promise.all([front.settled(build.server, timeout), adminFront.settled(build.admin, timeout)])
      .then(() => build.stop())
      .catch((error: unknown) =>
        logger.error({ event: 'retire_failed', err: error }, 'old build did not stop cleanly'),
      )
      .finally(() => retiring.delete(done));
    retiring.add(done);
  }

  async function closeAll(timeout: number): Promise<void> {
    // The admin listener stays up while traffic drains, so probes see /readyz 503 until the end.
    // No version may start building while the gateway stops.
    await versions?.stop();
    await reloading;
    await front.close(timeout);
    await adminFront.close(Math.min(timeout, 1000));
    await Promise.all(retiring);
    await current.stop();
    await runtime.stop();
  }

  const gateway: Gateway = {
    get server() {
      return current.server;
    },
    get admin() {
      return current.admin;
    },
    get build() {
      return current;
    },
    listener: front.listener,
    runtime,
    readiness: runtime.readiness,
    metrics: runtime.metrics,
    get pluginOrder() {
      return current.pluginOrder;
    },
    versions,
    async start() {
      const { config } = current.loaded;
      // Shared budgets are only shared once the store answers: don't take traffic before that.
      if (!(await runtime.redisReady())) {
        logger.warn(
          { event: 'redis_not_ready', waitedMs: config.redis?.startupWait },
          'starting without Redis: stores use their failure mode',
        );
      }
      await startBuild(current);
      serve(current);
      // The history may hold a newer version than this instance's file: it is applied before the
      // first request arrives (the start-up build is then retired like any other).
      await versions?.catchUp();
      const adminUrl = withAdmin
        ? await adminFront.listen(config.server.admin.port, config.server.admin.host)
        : '';
      const url = await front.listen(config.server.port, config.server.host);
      await versions?.run(config.versions.instanceId ?? `${hostname()}:${new URL(url).port}`);
      void runtime.readiness.probeAll();
      logger.info({ event: 'listening', url, admin: adminUrl || undefined }, 'gateway listening');
      return { url, adminUrl };
    },
    reload(next, reload) {
      const run = reloading.then(() => reloadNow(next, reload));
      reloading = run.catch(() => {});
      return run;
    },
    async drain() {
      const { drain } = current.loaded.config.server;
      runtime.readiness.startDraining();
      logger.info({ event: 'draining', delayMs: drain.delay, timeoutMs: drain.timeout }, 'draining');
      if (drain.delay > 0) await new Promise((resolve) => setTimeout(resolve, drain.delay));
      await reloading;
      await closeAll(drain.timeout);
      logger.info({ event: 'stopped' }, 'gateway stopped');
    },
    async stop() {
      await closeAll(0);
    },
  };
  return gateway;
}

/** The config history of one instance, applying versions through the gateway's reload. */
function createVersions(
  start: LoadedConfig,
  runtime: Runtime,
  logger: Logger,
  reload: (next: LoadedConfig, options: ReloadOptions) => Promise<void>,
): VersionAgent {
  const { config } = start;
  return createVersionAgent({
    store: openVersionStore(config, runtime),
    logger,
    pollMs: config.versions.poll,
    startDocument: start.document,
    instanceId: config.versions.instanceId ?? `${hostname()}:${config.server.port || process.pid}`,
    resolve: (shared) => resolveVersion(start, shared),
    apply: (next, beforeSwap) => reload(next, { beforeSwap }),
  });
}

/** The status sent, or 499 (nginx's "client closed request") when the client left first. */
export function responseStatus(request: Hapi.Request): number {
  const response: unknown = request.response;
  if (typeof response !== 'object' || response === null) return 499;
  return (
    (response as { statusCode?: number }).statusCode ??
    (response as { output?: { statusCode: number } }).output?.statusCode ??
    499
  );
}
