// Order comes from declared priority (as Kong's PRIORITY), never from the order of lines in the config.
import type { PorticoPlugin } from '../../contracts/plugin.ts';

export interface ResolvedPlugin {
  plugin: PorticoPlugin;
  /** Options after validation: every default filled in. */
  options: unknown;
  /** Index in the config's `plugins` list, for error paths. */
  index: number;
  /** `builtin` or the module path it was loaded from. */
  source: string;
}

/** Highest priority first; equal priorities by name, so the order is the same on every start. */
export function orderPlugins(plugins: ResolvedPlugin[]): ResolvedPlugin[] {
  return [...plugins].sort(
    (a, b) => b.plugin.priority - a.plugin.priority || a.plugin.name.localeCompare(b.plugin.name),
  );
}

export interface PluginOrderEntry {
  name: string;
  version: string;
  priority: number;
  phases: string[];
  source: string;
}

export function describeOrder(plugins: ResolvedPlugin[]): PluginOrderEntry[] {
  return plugins.map(({ plugin, source }) => ({
    name: plugin.name,
    version: plugin.version,
    priority: plugin.priority,
    phases: plugin.phases,
    source,
  }));
}
