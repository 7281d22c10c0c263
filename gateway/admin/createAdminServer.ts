// The admin listener: health, readiness, metrics and the effective config, on a private address.
import type Hapi from '@hapi/hapi';
import type { Registry } from 'prom-client';
import type { PorticoConfig } from '../config/schema.ts';
import type { PluginOrderEntry } from '../registry/orderPlugins.ts';
import { adminListener } from './adminListener.ts';
import type { Readiness } from './readiness.ts';
import { redactConfig } from './redactConfig.ts';

export interface AdminSources {
  config: PorticoConfig;
  pluginOrder: PluginOrderEntry[];
  readiness: Readiness;
  metrics: Registry;
  source: string;
  /** The upstream steps of each route, by route id. */
  pipelines: ReadonlyMap<string, ReadonlyArray<{ plugin: string; stage: string }>>;
}

export function createAdminServer(sources: AdminSources): Hapi.Server {
  const { config } = sources;
  const server = adminListener(config, { bound: false });

  server.route([
    { method: 'GET', path: '/healthz', handler: () => ({ status: 'ok' }) },
    {
      method: 'GET',
      path: '/readyz',
      handler: (_request, h) => {
        const report = sources.readiness.report();
        return h.response(report).code(report.ready ? 200 : 503);
      },
    },
    {
      method: 'GET',
      path: '/metrics',
      handler: async (_request, h) =>
        h.response(await sources.metrics.metrics()).type(sources.metrics.contentType),
    },
    {
      method: 'GET',
      path: '/config',
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
