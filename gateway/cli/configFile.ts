// Which config file a command uses, and how a bad one is reported: the path of each bad key, no stack.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parseDocument } from 'yaml';
import { ConfigError } from '../config/configIssues.ts';
import { loadConfigFile, type LoadedConfig } from '../config/loadConfigFile.ts';

export const DEFAULT_CONFIG_FILE = fileURLToPath(new URL('../portico.yaml', import.meta.url));

export function chooseConfigFile(flag: string | undefined): string {
  return flag ?? process.env.PORTICO_CONFIG ?? DEFAULT_CONFIG_FILE;
}

/** The loaded config, or undefined after printing why it is invalid. */
export async function loadOrReport(file: string): Promise<LoadedConfig | undefined> {
  // Every key has a default, so an empty file would parse as a valid config and run nothing:
  // almost always the wrong file, or one not written yet.
  const text = await readFile(file, 'utf8').catch(() => undefined);
  if (text !== undefined && parseDocument(text).contents === null) {
    console.error(
      `${file}: invalid config\n  (root): the file is empty; expected at least one of server, upstreams, routes, plugins (see gateway/CONFIG.md)`,
    );
    return undefined;
  }
  try {
    const loaded = await loadConfigFile(file);
    if (process.env.PORT !== undefined) {
      const port = Number(process.env.PORT);
      if (!Number.isInteger(port) || port < 0 || port > 65535) {
        console.error(
          `${file}: invalid config\n  PORT: expected an integer from 0 to 65535, got "${process.env.PORT}"`,
        );
        return undefined;
      }
      loaded.config.server.port = port;
    }
    return loaded;
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`${file}: invalid config`);
      for (const issue of error.issues) console.error(`  ${issue.path || '(root)'}: ${issue.message}`);
      return undefined;
    }
    throw error;
  }
}
