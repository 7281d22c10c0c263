// The admin listener: health, readiness, metrics and the effective config, on a private address.
// Those four are open to probes; every other route (plugins' included) asks for the admin token.
import type Hapi from '@hapi/hapi';
import type { Registry } from 'prom-client';
import type { PorticoConfig } from '../config/schema.ts';
import type { PluginOrderEntry } from '../registry/orderPlugins.ts';
import { adminListener } from './adminListener.ts';
import type { AdminToken } from './adminToken.ts';
import { auditAdminChanges, type AdminChange } from './auditAdminChanges.ts';
import type { Readiness } from './readiness.ts';
import { redactConfig } from './redactConfig.ts';
import { OPEN_ADMIN_ROUTE } from './requireAdminToken.ts';

export interface AdminSources {
  config: PorticoConfig;
  pluginOrder: PluginOrderEntry[];
  readiness: Readiness;
  metrics: Registry;
  source: string;
  /** The upstream steps of each route, by route id. */
  pipelines: ReadonlyMap<string, ReadonlyArray<{ plugin: string; stage: string }>>;
  token: AdminToken;
  /** Told of every state-changing admin call that passed the token (the audit trail). */
  onChange?: (change: AdminChange) => void;
}

export function createAdminServer(sources: AdminSources): Hapi.Server {
  const { config } = sources;
  const server = adminListener(config, { bound: false, token: sources.token });
  if (sources.onChange) auditAdminChanges(server, sources.onChange);

  // Open: they change nothing, and /config is redacted (probes, dashboards, `curl` on the host).
  server.route([
    { method: 'GET', path: '/healthz', options: OPEN_ADMIN_ROUTE, handler: () => ({ status: 'ok' }) },
    {
      method: 'GET',
      path: '/readyz',
      options: OPEN_ADMIN_ROUTE,
      handler: (_request, h) => {
        const report = sources.readiness.report();
        return h.response(report).code(report.ready ? 200 : 503);
      },
    },
    {
      method: 'GET',
      path: '/metrics',
      options: OPEN_ADMIN_ROUTE,
      handler: async (_request, h) =>
        h.response(await sources.metrics.metrics()).type(sources.metrics.contentType),
    },
    {
      method: 'GET',
      path: '/config',
      options: OPEN_ADMIN_ROUTE,
      handler: () => ({
        source: sources.source,
        pluginOrder: sources.pluginOrder,
        pipelines: Object.fromEntries(
          [...sources.pipelines].map(([route, steps]) => [
            route,
            steps.map(({ plugin, stage }) => `${stage}:${plugin}`),
          ]),
        ),
        config: redactConfig(config),
      }),
    },
  ]);
  return server;
}
