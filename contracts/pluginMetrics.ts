// One way for a plugin to make its metrics: named `portico_<plugin>_<name>`, in the gateway's own
// registry (never prom-client's global one, so two gateways in one process share nothing).
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface PluginMetrics {
  counter<L extends string>(name: string, help: string, labelNames?: readonly L[]): Counter<L>;
  /** `collect` runs on every scrape: read the state there instead of setting it on every change. */
  gauge<L extends string>(
    name: string,
    help: string,
    labelNames?: readonly L[],
    collect?: (gauge: Gauge<L>) => void,
  ): Gauge<L>;
  histogram<L extends string>(
    name: string,
    help: string,
    labelNames?: readonly L[],
    buckets?: number[],
  ): Histogram<L>;
}

export function pluginMetrics(registry: Registry, plugin: string): PluginMetrics {
  const prefix = `portico_${plugin.replace(/-/g, '_')}_`;
  return {
    counter: (name, help, labelNames = []) =>
      new Counter({ name: prefix + name, help, labelNames, registers: [registry] }),
    gauge: (name, help, labelNames = [], collect) =>
      new Gauge({
        name: prefix + name,
        help,
        labelNames,
        registers: [registry],
        ...(collect && {
          collect() {
            collect(this);
          },
        }),
      }),
    histogram: (name, help, labelNames = [], buckets) =>
      new Histogram({
        name: prefix + name,
        help,
        labelNames,
        registers: [registry],
        ...(buckets && { buckets }),
      }),
  };
}
