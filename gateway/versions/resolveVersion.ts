// A version's shared document → the config this instance would run: its own instance-local keys
// put back, then validated in full as `portico validate` does (schema, every plugin's validate
// hook, upstream names, module paths that must load), relative paths taken from where the
// instance's own config file is.
import { resolveConfig, type LoadedConfig } from '../config/loadConfigFile.ts';
import { pinLocalConfig, withLocalKeys } from './instanceLocal.ts';

export async function resolveVersion(start: LoadedConfig, shared: unknown): Promise<LoadedConfig> {
  const next = await resolveConfig(withLocalKeys(shared, start.document), {
    baseDir: start.baseDir,
    source: `${start.source} (config history)`,
    extraPlugins: start.extraPlugins,
  });
  pinLocalConfig(next.config, start.config);
  return next;
}
