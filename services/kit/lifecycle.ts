// What a started service is, and graceful shutdown on SIGTERM/SIGINT for `main.ts` entry points.
import type { Logger } from 'pino';

export interface RunningService {
  /** Base URL the service listens on, e.g. http://127.0.0.1:7101 */
  url: string;
  /** Stops accepting requests, lets in-flight ones finish, stops jobs, closes the database. */
  stop(): Promise<void>;
}

export function stopOnSignals(service: { stop(): Promise<void> }, logger: Logger): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    service.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
}
