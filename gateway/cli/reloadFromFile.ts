// The local config file as a source of versions: SIGHUP, or (versions.watch) a change of the
// file, reads it and submits it like a push — validated in full, refused with the path of each bad
// key while the running config stays. Editors and ConfigMaps replace files rather than write them,
// so the directory is watched, not the file.
import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import type { Logger } from 'pino';
import { ConfigError } from '../config/configIssues.ts';
import { parseYaml } from '../config/loadConfigFile.ts';
import type { VersionAgent } from '../versions/createVersionAgent.ts';
import type { VersionSource } from '../versions/versionRecord.ts';

/** Several events arrive for one save (truncate, write, rename): one reload after they settle. */
const SETTLE_MS = 150;

export interface FileReloads {
  /** Reads the file and submits it now (what SIGHUP does). */
  reload(source: Extract<VersionSource, 'file' | 'sighup'>): Promise<void>;
  stop(): void;
}

export function reloadFromFile(
  configFile: string,
  versions: Pick<VersionAgent, 'accept'>,
  logger: Logger,
  { watchFile }: { watchFile: boolean },
): FileReloads {
  const file = resolve(configFile);
  let lastText: string | undefined;
  let timer: NodeJS.Timeout | undefined;
  let watcher: FSWatcher | undefined;

  async function reload(source: 'file' | 'sighup'): Promise<void> {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      logger.error(
        { event: 'config_file_unreadable', file, err: (error as Error).message },
        'config file unreadable',
      );
      return;
    }
    // A watch event without a change of content (touch, a save of the same text): nothing to do.
    if (source === 'file' && text === lastText) return;
    lastText = text;
    try {
      const result = await versions.accept(parseYaml(text), {
        author: `${source} ${basename(file)}`,
        message: source === 'sighup' ? `SIGHUP: ${file}` : `file changed: ${file}`,
        source,
      });
      if (result.outcome === 'refused')
        logger.error(
          { event: 'config_file_refused', file, source, issues: result.issues },
          `${file}: invalid config, the running config stays:\n${result.issues
            .map((issue) => `  ${issue.path || '(root)'}: ${issue.message}`)
            .join('\n')}`,
        );
      else
        logger.info(
          {
            event: 'config_file_reload',
            file,
            source,
            outcome: result.outcome,
            version: result.version?.number,
            ignored: result.ignored.length ? result.ignored : undefined,
          },
          result.outcome === 'applied' ? 'config file applied' : 'config file unchanged',
        );
    } catch (error) {
      const issues = error instanceof ConfigError ? error.issues : undefined;
      logger.error(
        {
          event: 'config_file_reload_failed',
          file,
          source,
          issues,
          err: issues ? undefined : (error as Error).message,
        },
        'config file not applied; the running config stays',
      );
    }
  }

  void readFile(file, 'utf8').then(
    (text) => (lastText = text),
    () => {},
  );
  const onSighup = () => void reload('sighup');
  process.on('SIGHUP', onSighup);
  if (watchFile) {
    try {
      watcher = watch(dirname(file), (_event, name) => {
        if (name !== null && name !== basename(file)) return;
        clearTimeout(timer);
        timer = setTimeout(() => void reload('file'), SETTLE_MS);
      });
      watcher.on('error', (error) =>
        logger.warn(
          { event: 'config_watch_failed', file, err: error.message },
          'config file no longer watched',
        ),
      );
    } catch (error) {
      logger.warn(
        { event: 'config_watch_failed', file, err: (error as Error).message },
        'config file not watched',
      );
    }
  }

  return {
    reload,
    stop() {
      process.off('SIGHUP', onSighup);
      clearTimeout(timer);
      watcher?.close();
    },
  };
}
