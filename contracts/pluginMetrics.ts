// One way for a plugin to make its metrics: named `portico_<plugin>_<name>`, in the gateway's own
// registry (never prom-client's global one, so two gateways in one process share nothing). The
// registry outlives config reloads: a metric made again returns the one already registered (a
// gauge takes the new build's `collect`), so its series go on across a reload.
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
  const existing = <M>(name: string) => registry.getSingleMetric(prefix + name) as M | undefined;
  return {
    counter: (name, help, labelNames = []) =>
      existing(name) ?? new Counter({ name: prefix + name, help, labelNames, registers: [registry] }),
    gauge: <L extends string>(
      name: string,
      help: string,
      labelNames: readonly L[] = [],
      collect?: (gauge: Gauge<L>) => void,
    ) => {
      const again = existing<Gauge<L>>(name);
      const collectOwn =
        collect &&
        function (this: Gauge<L>) {
          collect(this);
        };
      if (again) {
        if (collectOwn) (again as unknown as { collect: () => void }).collect = collectOwn;
        return again;
      }
      return new Gauge<L>({
        name: prefix + name,
        help,
        labelNames,
        registers: [registry],
        ...(collectOwn && { collect: collectOwn }),
      });
    },
    histogram: (name, help, labelNames = [], buckets) =>
      existing(name) ??
      new Histogram({
        name: prefix + name,
        help,
        labelNames,
        registers: [registry],
        ...(buckets && { buckets }),
      }),
  };
}
