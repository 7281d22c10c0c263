// The cluster primary: forks N workers that share the public listener (node:cluster hands each new
// connection to the next worker in turn), serves the one admin listener, keeps the config history
// and makes every worker reload together (gateway/cluster/clusterReloads.ts), replaces a worker
// that dies (with a backoff), and on SIGTERM drains every worker and exits 0 once all have.
import cluster, { type Worker } from 'node:cluster';
import { hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import { AggregatorRegistry, type PrometheusContentType } from 'prom-client';
import { resolveAdminToken } from '../admin/adminToken.ts';
import type { LoadedConfig } from '../config/loadConfigFile.ts';
import { createLogger } from '../observability/createLogger.ts';
import { reloadFromFile } from '../cli/reloadFromFile.ts';
import { describeOrder } from '../registry/orderPlugins.ts';
import { createRuntime } from '../runtime/createRuntime.ts';
import { createVersionAgent } from '../versions/createVersionAgent.ts';
import { openVersionStore } from '../versions/openVersionStore.ts';
import { resolveVersion } from '../versions/resolveVersion.ts';
import { versionAdminRoutes } from '../versions/versionAdminRoutes.ts';
import { createClusterReloads } from './clusterReloads.ts';
import { createClusterAdmin } from './createClusterAdmin.ts';
import { createWorkerRpc, isFromWorker, type ToWorker } from './messages.ts';
import {
  createRestartBackoff,
  DEFAULT_RESTART_BACKOFF,
  type RestartBackoffPolicy,
} from './restartBackoff.ts';

const PORTICO_BIN = fileURLToPath(new URL('../bin/portico.js', import.meta.url));
/** After the drain delay and timeout, how long a worker may still take to exit before it is killed. */
const EXIT_GRACE_MS = 10_000;

export interface PrimaryOptions {
  workers: number;
  /** The config file every worker loads (the primary has validated it already). */
  configFile: string;
  restartBackoff?: RestartBackoffPolicy;
}

export async function startPrimary(loaded: LoadedConfig, options: PrimaryOptions): Promise<number> {
  const { config } = loaded;
  const logger = createLogger().child({ role: 'primary', pid: process.pid });
  const rpc = createWorkerRpc();
  const aggregator = new AggregatorRegistry<PrometheusContentType>();
  const backoff = createRestartBackoff(options.restartBackoff ?? DEFAULT_RESTART_BACKOFF);
  const started = new Map<number, Worker>();
  const restartTimers = new Set<NodeJS.Timeout>();
  let phase: 'starting' | 'running' | 'draining' = 'starting';
  let url = '';

  if (!config.redis && options.workers > 1)
    logger.warn(
      { event: 'cluster_memory_stores', workers: options.workers },
      'no redis configured: in-memory stores (rate limits, idempotency records, API keys) are per worker',
    );

  cluster.setupPrimary({
    exec: PORTICO_BIN,
    args: ['start', '--config', options.configFile],
    execArgv: process.execArgv,
  });

  // The history is the primary's: the workers build what it tells them (prepare, then commit).
  const liveWorkers = () => [...started.values()].filter((worker) => worker.isConnected());
  const reloads = createClusterReloads(liveWorkers);
  // Only the Redis connection of the history: the workers hold the gateways and their state.
  const runtime = createRuntime(config, logger);
  const versions = createVersionAgent({
    store: openVersionStore(config, runtime),
    logger,
    pollMs: config.versions.poll,
    startDocument: loaded.document,
    instanceId: config.versions.instanceId ?? `${hostname()}:${config.server.port}`,
    resolve: (shared) => resolveVersion(loaded, shared),
    // Each worker resolves the document again with its own local keys (the same file's).
    apply: (next, beforeSwap) => reloads.apply(next.document, beforeSwap),
  });
  await runtime.redisReady();
  // Before any worker starts: they ask which version to build first.
  await versions.catchUp();

  // Checked again by each worker's own admin server (the same variable or file) when it answers.
  const token = await resolveAdminToken(config);
  const admin = createClusterAdmin({
    token,
    adminRoutes: () => versionAdminRoutes(versions),
    onChange: ({ actor, ...change }) =>
      versions.audit({ action: 'admin.change', actor, detail: { ...change } }),
    loaded,
    pluginOrder: describeOrder(loaded.plugins),
    workerCount: options.workers,
    workers: liveWorkers,
    isDraining: () => phase === 'draining',
    rpc,
    aggregator,
  });

  cluster.on('message', (worker, message: unknown) => {
    if (!isFromWorker(message)) return;
    if (message.portico === 'current?') {
      const running = versions.current();
      if (worker.isConnected())
        worker.send({ portico: 'current', shared: running ? running.document : null });
      return;
    }
    if (
      message.portico === 'prepared' ||
      message.portico === 'prepare-failed' ||
      message.portico === 'swapped'
    )
      return reloads.receive(worker, message);
    if (message.portico === 'started') {
      started.set(worker.id, worker);
      url = message.url;
      logger.info(
        { event: 'worker_started', worker: worker.id, workerPid: worker.process.pid },
        'worker started',
      );
      if (phase === 'starting' && started.size === options.workers) void allStarted();
    } else rpc.receive(message);
  });

  const drainFailures: Array<{ worker: number; code: number | null; signal: string }> = [];
  let onAllExited: (() => void) | undefined;
  const draining = new Set<number>();
  cluster.on('exit', (worker, code, signal) => {
    started.delete(worker.id);
    const fields = { worker: worker.id, workerPid: worker.process.pid, code, signal };
    if (phase === 'draining') {
      logger.info({ event: 'worker_exit', ...fields }, 'worker stopped');
      if (code !== 0) drainFailures.push({ worker: worker.id, code, signal });
      // Not cluster.workers: a worker that exits before its IPC channel closes is still listed there.
      draining.delete(worker.id);
      if (draining.size === 0) onAllExited?.();
      return;
    }
    if (phase === 'starting') {
      // A worker that cannot start now will not start on retry either (port taken, bad plugin).
      logger.fatal({ event: 'worker_exit', ...fields }, 'worker failed to start; stopping');
      phase = 'draining';
      for (const other of Object.values(cluster.workers ?? {})) other?.process.kill('SIGKILL');
      logger.flush();
      setTimeout(() => process.exit(1), 100);
      return;
    }
    const delayMs = backoff.next();
    logger.error({ event: 'worker_exit', ...fields, restartInMs: delayMs }, 'worker died; replacing it');
    const timer = setTimeout(() => {
      restartTimers.delete(timer);
      if (phase !== 'draining') cluster.fork();
    }, delayMs);
    restartTimers.add(timer);
  });

  let fileReloads: ReturnType<typeof reloadFromFile> | undefined;
  async function allStarted(): Promise<void> {
    phase = 'running';
    try {
      await admin.start();
      await versions.run(config.versions.instanceId ?? `${hostname()}:${new URL(url).port}`);
      fileReloads = reloadFromFile(options.configFile, versions, logger, {
        watchFile: config.versions.watch,
      });
    } catch (error) {
      logger.fatal({ event: 'admin_start_failed', err: error }, 'admin listener failed to start');
      await stop(1);
      return;
    }
    logger.info(
      { event: 'listening', url, admin: admin.info.uri, workers: options.workers },
      'gateway cluster listening',
    );
  }

  async function stop(code: number): Promise<void> {
    phase = 'draining';
    for (const timer of restartTimers) clearTimeout(timer);
    restartTimers.clear();
    const alive = Object.values(cluster.workers ?? {}).filter((worker): worker is Worker => !!worker);
    for (const worker of alive) if (!worker.isDead()) draining.add(worker.id);
    const allExited = new Promise<void>((resolve) => {
      onAllExited = resolve;
      if (draining.size === 0) resolve();
    });
    for (const worker of alive) {
      // A worker still starting has no drain handler yet: its default SIGTERM action ends it.
      const message: ToWorker = { portico: 'drain' };
      if (started.has(worker.id) && worker.isConnected()) worker.send(message);
      else worker.process.kill('SIGTERM');
    }
    // Node's round-robin handoff: a connection the primary handed to the last worker just as that
    // worker closed its listener comes back here after the listening socket is gone, and no worker
    // will ever take it; it waits until this process exits (within the bound below) and then resets.
    // New connections after that are refused, as they should be.
    const boundMs = config.server.drain.delay + config.server.drain.timeout + EXIT_GRACE_MS;
    let timedOut = false;
    const bound = setTimeout(() => {
      timedOut = true;
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGKILL');
    }, boundMs);
    await allExited;
    clearTimeout(bound);
    fileReloads?.stop();
    await versions.stop();
    await runtime.stop();
    await admin.stop({ timeout: 1000 });
    logger.info({ event: 'stopped', timedOut, drainFailures }, 'gateway cluster stopped');
    logger.flush();
    process.exit(code !== 0 || timedOut || drainFailures.length > 0 ? 1 : 0);
  }

  let signalled = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled) {
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGKILL');
      process.exit(1);
    }
    signalled = true;
    logger.info({ event: 'draining', signal, workers: started.size }, 'draining every worker');
    void stop(0);
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);

  for (let index = 0; index < options.workers; index++) cluster.fork();
  return -1;
}
