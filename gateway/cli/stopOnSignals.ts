// SIGTERM or SIGINT: the gateway drains (in-flight requests finish), then `after` runs and the
// process exits 0; a second signal exits at once.
import type { Gateway } from '../createGateway.ts';

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
