// A cluster worker: one whole gateway on the shared public listener, without an admin listener
// or a config history (the primary keeps both). It starts on the version the cluster runs, builds
// and swaps versions on the primary's word (gateway/cluster/clusterReloads.ts), answers the
// primary's readiness and admin calls, feeds prom-client's cluster aggregation, and drains on the
// primary's word, on a signal, or when the primary is gone.
import cluster from 'node:cluster';
import pino from 'pino';
import { AggregatorRegistry } from 'prom-client';
import { ConfigError } from '../config/configIssues.ts';
import type { LoadedConfig } from '../config/loadConfigFile.ts';
import { createGateway, type Gateway } from '../createGateway.ts';
import { createLogger } from '../observability/createLogger.ts';
import { resolveVersion } from '../versions/resolveVersion.ts';
import {
  isToWorker,
  type AdminRequest,
  type AdminResponse,
  type FromWorker,
  type ToWorker,
} from './messages.ts';

/** How long a starting worker waits for the primary to name the version to run. */
const CURRENT_WAIT_MS = 10_000;

// Writes to a pipe of at most PIPE_BUF bytes are atomic: whole log lines from several workers
// sharing one stdout never interleave mid-line.
const PIPE_BUF = 4096;

export async function startWorker(fileConfig: LoadedConfig): Promise<number> {
  const workerId = cluster.worker?.id ?? 0;
  const logger = createLogger({ destination: pino.destination({ sync: false, maxWrite: PIPE_BUF }) }).child({
    worker: workerId,
    pid: process.pid,
  });
  const send = (message: FromWorker) => {
    if (process.connected) process.send!(message);
  };

  // The primary reloads: a SIGHUP to the whole process group must not end the workers.
  process.on('SIGHUP', () => {});

  let gateway: Gateway;
  let url: string;
  try {
    const loaded = await currentVersion(fileConfig, send, logger);
    gateway = await createGateway(loaded, { logger, admin: false, versions: false });
    // The primary's AggregatorRegistry asks every worker for this registry over IPC.
    new AggregatorRegistry();
    AggregatorRegistry.setRegistries([gateway.metrics.registry]);
    ({ url } = await gateway.start());
  } catch (error) {
    logger.fatal({ event: 'worker_start_failed', err: error }, 'worker failed to start');
    logger.flush();
    // The IPC channel keeps the event loop alive: leave explicitly.
    setTimeout(() => process.exit(1), 100).unref();
    return 1;
  }

  let draining: Promise<void> | undefined;
  const drain = (reason: string) => {
    draining ??= (async () => {
      logger.info({ event: 'worker_draining', reason }, 'worker draining');
      try {
        await gateway.drain();
        logger.flush();
        process.exit(0);
      } catch (error) {
        logger.error({ event: 'worker_drain_failed', err: error }, 'worker drain failed');
        logger.flush();
        process.exit(1);
      }
    })();
  };

  const decisions = new Map<number, (commit: boolean) => void>();
  process.on('message', (message: unknown) => {
    if (!isToWorker(message)) return;
    if (message.portico === 'drain') return drain('primary');
    if (message.portico === 'prepare') return void prepare(message.id, message.shared);
    if (message.portico === 'commit' || message.portico === 'abort')
      return decisions.get(message.id)?.(message.portico === 'commit');
    if (message.portico !== 'rpc') return;
    const answer = (work: () => Promise<unknown> | unknown) =>
      Promise.resolve()
        .then(work)
        .then(
          (value) => send({ portico: 'rpc-result', id: message.id, value }),
          (error: unknown) =>
            send({ portico: 'rpc-result', id: message.id, error: (error as Error).message ?? String(error) }),
        );
    if (message.method === 'readiness') void answer(() => gateway.readiness.report());
    else if (message.method === 'admin') void answer(() => injectAdmin(gateway, message.request));
  });
  // Ctrl-C reaches the whole process group; the primary's own SIGTERM arrives as a message.
  process.once('SIGTERM', () => drain('SIGTERM'));
  process.once('SIGINT', () => drain('SIGINT'));
  // The primary died: no one will ever replace or stop this worker, so leave cleanly.
  process.once('disconnect', () => drain('primary gone'));

  /** Builds the version beside the running one, says so, and swaps only on the primary's commit. */
  async function prepare(id: number, shared: unknown): Promise<void> {
    const decision = new Promise<boolean>((resolve) => decisions.set(id, resolve));
    let aborted = false;
    try {
      await gateway.reload(await resolveVersion(fileConfig, shared), {
        beforeSwap: async () => {
          send({ portico: 'prepared', id });
          if (!(await decision)) {
            aborted = true;
            throw new Error('aborted by the primary');
          }
        },
      });
      send({ portico: 'swapped', id });
    } catch (error) {
      if (aborted) return;
      const issues =
        error instanceof ConfigError ? error.issues : [{ path: '', message: (error as Error).message }];
      send({ portico: 'prepare-failed', id, issues });
    } finally {
      decisions.delete(id);
    }
  }

  send({ portico: 'started', url });
  return -1;
}

/** The version the cluster runs (asked of the primary), else the config file. */
async function currentVersion(
  fileConfig: LoadedConfig,
  send: (message: FromWorker) => void,
  logger: pino.Logger,
): Promise<LoadedConfig> {
  const shared = await new Promise<unknown>((resolve) => {
    const timer = setTimeout(() => {
      process.off('message', onMessage);
      resolve(null);
    }, CURRENT_WAIT_MS);
    const onMessage = (message: unknown) => {
      if (!isToWorker(message) || message.portico !== 'current') return;
      clearTimeout(timer);
      process.off('message', onMessage);
      resolve((message as Extract<ToWorker, { portico: 'current' }>).shared);
    };
    process.on('message', onMessage);
    send({ portico: 'current?' });
  });
  if (shared === null || shared === undefined) return fileConfig;
  try {
    return await resolveVersion(fileConfig, shared);
  } catch (error) {
    logger.error(
      {
        event: 'worker_version_refused',
        issues: (error as ConfigError).issues,
        err: (error as Error).message,
      },
      "the cluster's version does not build here; starting on the config file",
    );
    return fileConfig;
  }
}

/** A plugin's admin route (e.g. API-key management), answered by this worker's admin server in-process. */
async function injectAdmin(gateway: Gateway, request: AdminRequest): Promise<AdminResponse> {
  const response = await gateway.admin.inject({
    method: request.method,
    url: request.url,
    headers: request.headers as Record<string, string>,
    payload: Buffer.from(request.payload, 'base64'),
  });
  return {
    statusCode: response.statusCode,
    headers: response.headers as AdminResponse['headers'],
    payload: response.rawPayload.toString('base64'),
  };
}
