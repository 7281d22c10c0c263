// Reads and validates the ops config: base schema, then each plugin's options, then cross-references.
// Every problem is collected, so one run of `portico validate` names every bad key.
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import type { PorticoPlugin } from '../../contracts/plugin.ts';
import { builtinPlugins } from '../registry/builtinPlugins.ts';
import { contractViolations, pluginFromModule } from '../registry/contractViolations.ts';
import { orderPlugins, type ResolvedPlugin } from '../registry/orderPlugins.ts';
import { ConfigError, fromZodIssues, formatPath, type ConfigIssue } from './configIssues.ts';
import { resolveReferences } from './resolveReferences.ts';
import { loaderFor } from './typeScriptLoader.ts';
import { configSchema, type PorticoConfig } from './schema.ts';

export interface LoadedConfig {
  config: PorticoConfig;
  /** Enabled plugins, in the order they run. */
  plugins: ResolvedPlugin[];
  /** Where it came from: a file path, or "inline". */
  source: string;
  /**
   * The document as written, before defaults and with its `${env:...}` / `${file:...}` references
   * unresolved: what the version history stores and hashes.
   */
  document: unknown;
  /** What relative paths in it (plugin modules, `${file:...}`) are relative to. */
  baseDir: string;
  /** The plugins known by name beside the built-ins it was resolved with (a reload resolves with them too). */
  extraPlugins: readonly PorticoPlugin[];
}

export async function loadConfigFile(file: string): Promise<LoadedConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ConfigError([
      { path: '', message: `cannot read ${file}: ${(error as NodeJS.ErrnoException).code}` },
    ]);
  }
  return resolveConfig(parseYaml(text), { baseDir: dirname(resolve(file)), source: file });
}

export function parseYaml(text: string): unknown {
  const document = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (document.errors.length > 0) {
    throw new ConfigError(
      document.errors.map((error) => ({ path: '', message: `YAML: ${error.message.split('\n')[0]}` })),
    );
  }
  return document.toJS() ?? {};
}

export async function resolveConfig(
  raw: unknown,
  {
    baseDir = process.cwd(),
    source = 'inline',
    extraPlugins = [],
  }: {
    baseDir?: string;
    source?: string;
    /** Plugins known by name beside the built-ins (tests, embedders). */
    extraPlugins?: readonly PorticoPlugin[];
  } = {},
): Promise<LoadedConfig> {
  const references = resolveReferences(raw, { baseDir });
  if (references.issues.length > 0) throw new ConfigError(references.issues);
  const parsed = configSchema.safeParse(references.value);
  if (!parsed.success) throw new ConfigError(fromZodIssues(parsed.error.issues));
  const config = parsed.data;
  const issues: ConfigIssue[] = [];

  const resolved = await resolvePluginEntries(config, baseDir, issues, extraPlugins);
  checkRoutes(config, resolved, issues);
  // Cross-references only a plugin knows (an upstream its options name), once its own options are valid.
  if (issues.length === 0) issues.push(...pluginValidations(config, resolved));
  if (config.versions.store === 'redis' && !config.redis)
    issues.push({ path: 'versions.store', message: 'redis needs the redis key (the shared store)' });
  if (issues.length > 0) throw new ConfigError(issues);

  return {
    config,
    plugins: orderPlugins(resolved.filter((entry) => config.plugins[entry.index]!.enabled)),
    source,
    document: raw,
    baseDir,
    extraPlugins,
  };
}

async function resolvePluginEntries(
  config: PorticoConfig,
  baseDir: string,
  issues: ConfigIssue[],
  extraPlugins: readonly PorticoPlugin[],
): Promise<ResolvedPlugin[]> {
  const builtins = new Map(builtinPlugins());
  for (const plugin of extraPlugins) builtins.set(plugin.name, plugin);
  const resolved: ResolvedPlugin[] = [];
  const seen = new Map<string, number>();

  for (const [index, entry] of config.plugins.entries()) {
    const at = (key: string) => formatPath(['plugins', index, key]);
    let plugin: PorticoPlugin | undefined;
    let source = 'builtin';
    if (entry.name !== undefined) {
      plugin = builtins.get(entry.name);
      if (!plugin) {
        issues.push({
          path: at('name'),
          message: `unknown plugin "${entry.name}" (known: ${[...builtins.keys()].join(', ')})`,
        });
        continue;
      }
    } else if (entry.module !== undefined) {
      source = isAbsolute(entry.module) ? entry.module : resolve(baseDir, entry.module);
      const loaded = await importPlugin(source);
      if (typeof loaded === 'string') {
        issues.push({ path: at('module'), message: loaded });
        continue;
      }
      plugin = loaded;
    }
    if (!plugin) continue;

    const earlier = seen.get(plugin.name);
    if (earlier !== undefined) {
      issues.push({
        path: at(entry.name ? 'name' : 'module'),
        message: `plugin "${plugin.name}" is already configured at plugins[${earlier}]`,
      });
      continue;
    }
    seen.set(plugin.name, index);

    const options = (plugin.options as z.ZodType).safeParse(entry.options);
    if (!options.success) {
      issues.push(...fromZodIssues(options.error.issues, ['plugins', index, 'options']));
      continue;
    }
    resolved.push({ plugin, options: options.data, index, source });
  }
  return resolved;
}

async function importPlugin(path: string): Promise<PorticoPlugin | string> {
  let module: Record<string, unknown>;
  try {
    await loaderFor(path);
    module = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (error) {
    return `cannot load plugin module ${path}: ${(error as Error).message.split('\n')[0]}`;
  }
  const candidate = pluginFromModule(module);
  const violations = contractViolations(candidate);
  if (violations.length > 0) return `not a Portico plugin: ${violations.join('; ')}`;
  return candidate as PorticoPlugin;
}

function pluginValidations(config: PorticoConfig, resolved: ResolvedPlugin[]): ConfigIssue[] {
  const upstreams = Object.keys(config.upstreams);
  const plugins = resolved.map(({ plugin }) => plugin.name);
  return resolved.flatMap(({ plugin, options, index }) => {
    if (!plugin.validate || !config.plugins[index]!.enabled) return [];
    return plugin.validate(options as never, {
      pluginPath: formatPath(['plugins', index]),
      upstreams,
      routes: config.routes.map((route, routeIndex) => ({
        path: formatPath(['routes', routeIndex]),
        id: route.name ?? route.path,
        options: route.plugins[plugin.name],
      })),
      plugins,
    });
  });
}

/** Routes must name real upstreams and configured plugins; per-route plugin options are validated here. */
function checkRoutes(config: PorticoConfig, plugins: ResolvedPlugin[], issues: ConfigIssue[]): void {
  const byName = new Map(plugins.map((entry) => [entry.plugin.name, entry]));
  const seenRoutes = new Map<string, number>();
  const hasAuthStrategy = plugins.some(
    (entry) => config.plugins[entry.index]!.enabled && (entry.plugin.authStrategies?.length ?? 0) > 0,
  );

  for (const [index, route] of config.routes.entries()) {
    const at = (...keys: PropertyKey[]) => formatPath(['routes', index, ...keys]);
    if (!(route.upstream in config.upstreams)) {
      const known = Object.keys(config.upstreams);
      issues.push({
        path: at('upstream'),
        message: `no upstream named "${route.upstream}" (${known.length ? `known: ${known.join(', ')}` : 'upstreams is empty'})`,
      });
    }
    if (route.stripPrefix !== undefined && !staticPrefix(route.path).startsWith(route.stripPrefix)) {
      issues.push({
        path: at('stripPrefix'),
        message: `"${route.stripPrefix}" is not a prefix of the route path`,
      });
    }
    if (route.auth !== 'none' && !hasAuthStrategy) {
      issues.push({
        path: at('auth'),
        message: `auth: ${route.auth} needs an enabled plugin with an auth strategy (auth-jwt, api-key)`,
      });
    }
    if (route.websocket && route.auth !== 'none') {
      // Upgrades bypass hapi's request lifecycle, so no auth plugin could check them.
      issues.push({ path: at('websocket'), message: 'WebSocket routes must have auth: none' });
    }
    const methods = route.methods === '*' ? ['*'] : route.methods;
    for (const method of methods) {
      const key = `${method} ${route.path}`;
      const other = seenRoutes.get(key);
      if (other !== undefined)
        issues.push({ path: at('path'), message: `same path and method as routes[${other}]` });
      else seenRoutes.set(key, index);
    }
    for (const [name, value] of Object.entries(route.plugins)) {
      const entry = byName.get(name);
      if (!entry) {
        issues.push({ path: at('plugins', name), message: `plugin "${name}" is not configured in plugins` });
        continue;
      }
      if (value === false) continue;
      const schema = entry.plugin.routeOptions as z.ZodType | undefined;
      if (!schema) {
        issues.push({
          path: at('plugins', name),
          message: `plugin "${name}" takes no per-route options (only false)`,
        });
        continue;
      }
      const result = schema.safeParse(value);
      if (!result.success)
        issues.push(...fromZodIssues(result.error.issues, ['routes', index, 'plugins', name]));
      else route.plugins[name] = result.data;
    }
  }
  if (config.server.port !== 0 && config.server.port === config.server.admin.port) {
    issues.push({ path: 'server.admin.port', message: 'must differ from server.port' });
  }
}

/** The literal part of a hapi path before its first parameter: `/api/v1/programs/{rest*}` → `/api/v1/programs`. */
export function staticPrefix(path: string): string {
  const brace = path.indexOf('{');
  const literal = brace === -1 ? path : path.slice(0, brace);
  return literal.length > 1 && literal.endsWith('/') ? literal.slice(0, -1) : literal;
}
