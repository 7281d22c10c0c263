// `portico start`: one gateway process that drains on SIGTERM and exits 0, or with --workers N a
// cluster primary and its N workers (gateway/cluster/).
import cluster from 'node:cluster';
import { resolve } from 'node:path';
import { parseWorkers } from '../cluster/parseWorkers.ts';
import { startPrimary } from '../cluster/startPrimary.ts';
import { startWorker } from '../cluster/startWorker.ts';
import { createGateway } from '../createGateway.ts';
import { chooseConfigFile, loadOrReport } from './configFile.ts';
import { reloadFromFile } from './reloadFromFile.ts';
import { stopOnSignals } from './stopOnSignals.ts';

export async function runStart(options: { configFile?: string; workers?: string }): Promise<number> {
  const workers = parseWorkers(options.workers);
  if ('error' in workers) {
    console.error(`portico: ${workers.error}`);
    return 2;
  }
  const file = chooseConfigFile(options.configFile);
  const loaded = await loadOrReport(file);
  if (!loaded) return 1;
  // Cluster mode: the config is validated above, before any fork or port.
  if (cluster.isWorker) return startWorker(loaded);
  if (workers.workers > 1)
    return startPrimary(loaded, { workers: workers.workers, configFile: resolve(file) });
  const gateway = await createGateway(loaded);
  await gateway.start();
  const reloads = reloadFromFile(file, gateway.versions!, gateway.server.portico.logger, {
    watchFile: loaded.config.versions.watch,
  });
  stopOnSignals(gateway, async () => reloads.stop());
  return -1;
}
