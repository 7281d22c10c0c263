// The admin listener of a cluster: one, in the primary, so /readyz and /metrics speak for every
// worker instead of for whichever worker a connection happened to land on.
import type { Worker } from 'node:cluster';
import type Hapi from '@hapi/hapi';
import type { ServerRoute } from '@hapi/hapi';
import type { AggregatorRegistry, PrometheusContentType } from 'prom-client';
import { adminListener } from '../admin/adminListener.ts';
import type { AdminToken } from '../admin/adminToken.ts';
import { auditAdminChanges, type AdminChange } from '../admin/auditAdminChanges.ts';
import { redactConfig } from '../admin/redactConfig.ts';
import { OPEN_ADMIN_ROUTE } from '../admin/requireAdminToken.ts';
import type { LoadedConfig } from '../config/loadConfigFile.ts';
import type { PluginOrderEntry } from '../registry/orderPlugins.ts';
import type { WorkerReadiness, WorkerRpc } from './messages.ts';

const WORKER_ANSWER_MS = 2000;
/** Hop-by-hop and framing headers hapi sets itself. */
const NOT_FORWARDED = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive', 'date']);

export interface ClusterAdminSources {
  loaded: LoadedConfig;
  pluginOrder: PluginOrderEntry[];
  workerCount: number;
  /** Workers now alive and started, by cluster id. */
  workers(): Worker[];
  isDraining(): boolean;
  rpc: WorkerRpc;
  aggregator: AggregatorRegistry<PrometheusContentType>;
  token: AdminToken;
  /** The primary's own admin routes (the config history). */
  adminRoutes?: () => ServerRoute[];
  /** Told of every state-changing admin call (the audit trail). */
  onChange?: (change: AdminChange) => void;
}

export interface WorkerReport extends Partial<WorkerReadiness> {
  worker: number;
  pid: number | undefined;
  error?: string;
}

/** Ready only when the full count of workers is up and every one of them says it is ready. */
export async function clusterReadiness(
  sources: Pick<ClusterAdminSources, 'workerCount' | 'workers' | 'isDraining' | 'rpc'>,
): Promise<{ ready: boolean; draining: boolean; workers: WorkerReport[] }> {
  const workers = sources.workers();
  const reports = await Promise.all(
    workers.map(async (worker): Promise<WorkerReport> => {
      try {
        const report = await sources.rpc.readiness(worker, WORKER_ANSWER_MS);
        return { worker: worker.id, pid: worker.process.pid, ...report };
      } catch (error) {
        return { worker: worker.id, pid: worker.process.pid, ready: false, error: (error as Error).message };
      }
    }),
  );
  const draining = sources.isDraining();
  const ready =
    !draining && reports.length === sources.workerCount && reports.every((report) => report.ready === true);
  return { ready, draining, workers: reports };
}

export function createClusterAdmin(sources: ClusterAdminSources): Hapi.Server {
  const { config } = sources.loaded;
  const server = adminListener(config, { token: sources.token });
  if (sources.onChange) auditAdminChanges(server, sources.onChange);
  server.route(sources.adminRoutes?.() ?? []);

  server.route([
    {
      method: 'GET',
      path: '/healthz',
      options: OPEN_ADMIN_ROUTE,
      handler: () => ({ status: 'ok', workers: sources.workers().length }),
    },
    {
      method: 'GET',
      path: '/readyz',
      options: OPEN_ADMIN_ROUTE,
      handler: async (_request, h) => {
        const report = await clusterReadiness(sources);
        return h.response(report).code(report.ready ? 200 : 503);
      },
    },
    {
      method: 'GET',
      path: '/metrics',
      options: OPEN_ADMIN_ROUTE,
      handler: async (_request, h) => {
        try {
          return h.response(await sources.aggregator.clusterMetrics()).type(sources.aggregator.contentType);
        } catch (error) {
          return h.response(`metrics unavailable: ${(error as Error).message}\n`).code(503);
        }
      },
    },
    {
      method: 'GET',
      path: '/config',
      options: OPEN_ADMIN_ROUTE,
      handler: () => ({
        source: sources.loaded.source,
        workers: sources.workerCount,
        pluginOrder: sources.pluginOrder,
        config: redactConfig(config),
      }),
    },
    {
      // Plugins' admin routes (e.g. API-key management) live in each worker's gateway: one worker
      // answers. With shared stores (Redis) that is the same for every worker.
      method: '*',
      path: '/{path*}',
      options: { payload: { parse: false, output: 'data', maxBytes: 1024 * 1024 } },
      handler: async (request, h) => {
        const worker = sources.workers()[0];
        if (!worker) return h.response({ error: 'no worker is running' }).code(503);
        const body = Buffer.isBuffer(request.payload) ? request.payload : Buffer.alloc(0);
        let answer;
        try {
          answer = await sources.rpc.admin(
            worker,
            {
              method: request.method,
              url: request.url.pathname + request.url.search,
              headers: request.headers as Record<string, string>,
              payload: body.toString('base64'),
            },
            WORKER_ANSWER_MS * 5,
          );
        } catch (error) {
          return h.response({ error: (error as Error).message }).code(503);
        }
        const response = h.response(Buffer.from(answer.payload, 'base64')).code(answer.statusCode);
        for (const [name, value] of Object.entries(answer.headers)) {
          if (value === undefined || NOT_FORWARDED.has(name)) continue;
          response.header(name, Array.isArray(value) ? value.join(', ') : String(value));
        }
        return response;
      },
    },
  ]);
  return server;
}
