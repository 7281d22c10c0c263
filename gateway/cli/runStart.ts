// `portico start`: one gateway process that drains on SIGTERM and exits 0.
import { createGateway, type Gateway } from '../createGateway.ts';
import { chooseConfigFile, loadOrReport } from './configFile.ts';

export async function runStart(options: { configFile?: string; workers?: string }): Promise<number> {
  const file = chooseConfigFile(options.configFile);
  const loaded = await loadOrReport(file);
  if (!loaded) return 1;
  const gateway = await createGateway(loaded);
  await gateway.start();
  stopOnSignals(gateway, async () => {});
  return -1;
}

/** SIGTERM/SIGINT: drain, then run `after`, then exit 0; a second signal exits at once. */
export function stopOnSignals(gateway: Gateway, after: () => Promise<void>): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(1);
    stopping = true;
    gateway.server.portico.logger.info({ event: 'signal', signal }, 'stopping');
    gateway
      .drain()
      .then(after)
      .then(
        () => process.exit(0),
        (error: unknown) => {
          console.error(`portico: stop failed: ${(error as Error).message}`);
          process.exit(1);
        },
      );
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
}
