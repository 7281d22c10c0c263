// What a started service is, and graceful shutdown for `main.ts` entry points: on SIGTERM/SIGINT
// when run alone; on its supervisor's word, or when the supervisor is gone, under `portico dev`.
import type { Logger } from 'pino';

export interface RunningService {
  /** Base URL the service listens on, e.g. http://127.0.0.1:7101 */
  url: string;
  /** Stops accepting requests, lets in-flight ones finish, stops jobs, closes the database. */
  stop(): Promise<void>;
}

/** Set by a supervisor (`portico dev`) that forks the service with an IPC channel. */
export const SUPERVISED_ENV = 'PORTICO_SUPERVISED';

/** What a supervised service says to its supervisor, and what it is told. */
export type ToSupervisor = { portico: 'service-ready'; url: string };
export type FromSupervisor = { portico: 'service-stop' };

export function stopOnSignals(service: { url?: string; stop(): Promise<void> }, logger: Logger): void {
  let stopping = false;
  const stop = (reason: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ reason }, 'shutting down');
    service.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  if (process.env[SUPERVISED_ENV] === '1' && !process.connected) {
    // The supervisor went away while this service was starting: nobody will ever stop it.
    stop('supervisor gone');
    return;
  }
  if (process.env[SUPERVISED_ENV] === '1' && process.send) {
    // A signal to the whole process group (Ctrl-C, `kill -- -PGID`) also reaches this process; the
    // supervisor stops it only once the gateway in front has drained, so requests in flight through
    // the gateway still find their service. The supervisor being gone is the one other way out.
    const ignore = () => {};
    process.on('SIGTERM', ignore);
    process.on('SIGINT', ignore);
    process.on('message', (message: unknown) => {
      if ((message as Partial<FromSupervisor> | null)?.portico === 'service-stop') stop('supervisor');
    });
    process.once('disconnect', () => stop('supervisor gone'));
    const ready: ToSupervisor = { portico: 'service-ready', url: service.url ?? '' };
    process.send(ready);
    return;
  }
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}
