// The gateway: a thin surface (as hapi's server.js over core.js) over a long-lived runtime, the
// current build of the config, and the front listeners that outlive builds. A reload builds the
// new config beside the running one and swaps them atomically; requests already dispatched
// finish on the build they started on.
import type http from 'node:http';
import type Hapi from '@hapi/hapi';
import type { Logger } from 'pino';
import type { Readiness } from './admin/readiness.ts';
import { buildGateway, type GatewayBuild } from './buildGateway.ts';
import { ConfigError } from './config/configIssues.ts';
import type { LoadedConfig } from './config/loadConfigFile.ts';
import { createListener } from './core/createListener.ts';
import { createFrontListener } from './core/frontListener.ts';
import { createLogger } from './observability/createLogger.ts';
import type { GatewayMetrics } from './observability/gatewayMetrics.ts';
import type { PluginOrderEntry } from './registry/orderPlugins.ts';
import { createRuntime, type Runtime } from './runtime/createRuntime.ts';

export interface GatewayOptions {
  logger?: Logger;
  /** false: no admin listener (cluster workers: the primary serves the admin API). Default true. */
  admin?: boolean;
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
  /** Opens both listeners; resolves with their URLs. */
  start(): Promise<{ url: string; adminUrl: string }>;
  /**
   * Builds `loaded` beside the running config and swaps to it; resolves once new requests reach
   * the new build (in-flight requests finish on the old one, which is stopped in the background).
   * Rejects (and changes nothing) when the new config cannot be built.
   */
  reload(loaded: LoadedConfig): Promise<void>;
  /** SIGTERM semantics: readiness 503, wait the drain delay, stop taking connections, let in-flight requests finish. */
  drain(): Promise<void>;
  /** Stops at once (tests). */
  stop(): Promise<void>;
}

export async function createGateway(loaded: LoadedConfig, options: GatewayOptions = {}): Promise<Gateway> {
  const logger = options.logger ?? createLogger();
  const runtime = createRuntime(loaded.config, logger);
  let current: GatewayBuild;
  try {
    current = await buildGateway(loaded, runtime);
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

  async function reloadNow(next: LoadedConfig): Promise<void> {
    if (JSON.stringify(next.config.redis) !== JSON.stringify(runtime.redisConfig)) {
      throw new ConfigError([
        { path: 'redis', message: 'the Redis connection cannot change on reload: restart the gateway' },
      ]);
    }
    const build = await buildGateway(next, runtime);
    try {
      await startBuild(build);
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
    const done = front
      .settled(build.server, build.loaded.config.server.drain.timeout)
      .then(() => build.stop())
      .catch((error: unknown) =>
        logger.error({ event: 'retire_failed', err: error }, 'old build did not stop cleanly'),
      )
      .finally(() => retiring.delete(done));
    retiring.add(done);
  }

  async function closeAll(timeout: number): Promise<void> {
    // The admin listener stays up while traffic drains, so probes see /readyz 503 until the end.
    await front.close(timeout);
    await adminFront.close(Math.min(timeout, 1000));
    await Promise.all(retiring);
    await current.stop();
    await runtime.stop();
  }

  return {
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
      const adminUrl = withAdmin
        ? await adminFront.listen(config.server.admin.port, config.server.admin.host)
        : '';
      const url = await front.listen(config.server.port, config.server.host);
      void runtime.readiness.probeAll();
      logger.info({ event: 'listening', url, admin: adminUrl || undefined }, 'gateway listening');
      return { url, adminUrl };
    },
    reload(next) {
      const run = reloading.then(() => reloadNow(next));
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
