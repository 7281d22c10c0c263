// A user's plugin is held to the same contract as a built-in one before it may register.
import type { PorticoPlugin } from '../../contracts/plugin.ts';

const PHASES = new Set([
  'onRequest',
  'onPreAuth',
  'auth',
  'onCredentials',
  'onPostAuth',
  'onPreHandler',
  'handler',
  'onPostHandler',
  'onPreResponse',
  'response',
]);

function isSchema(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { safeParse?: unknown }).safeParse === 'function'
  );
}

/** The ways `candidate` breaks the plugin contract; empty when it keeps it. */
export function contractViolations(candidate: unknown): string[] {
  if (typeof candidate !== 'object' || candidate === null)
    return ['expected the module to export a plugin object'];
  const plugin = candidate as Partial<Record<keyof PorticoPlugin, unknown>>;
  const problems: string[] = [];
  if (typeof plugin.name !== 'string' || !/^[a-z][a-z0-9-]*$/.test(plugin.name))
    problems.push('name: expected a lower-case string like "my-plugin"');
  if (typeof plugin.version !== 'string') problems.push('version: expected a string');
  if (typeof plugin.priority !== 'number' || !Number.isFinite(plugin.priority))
    problems.push('priority: expected a finite number');
  if (!Array.isArray(plugin.phases) || !plugin.phases.every((phase) => PHASES.has(phase as string)))
    problems.push(`phases: expected an array of ${[...PHASES].join(', ')}`);
  if (!isSchema(plugin.options)) problems.push('options: expected a zod schema');
  if (plugin.routeOptions !== undefined && !isSchema(plugin.routeOptions))
    problems.push('routeOptions: expected a zod schema');
  if (typeof plugin.register !== 'function') problems.push('register: expected a function');
  return problems;
}

/** Accepts `export default plugin` or `export const plugin = ...`. */
export function pluginFromModule(module: Record<string, unknown>): unknown {
  return module.default ?? module.plugin;
}
