// JSON lines through pino, with secrets and personal data redacted wherever they appear in a log
// object (contracts/redactSecrets.ts: keys at the top and up to two levels down).
import pino, { type DestinationStream, type Logger } from 'pino';
import { redactSecrets } from '../../contracts/redactSecrets.ts';

export function createLogger(
  options: { level?: string; destination?: DestinationStream; service?: string } = {},
): Logger {
  return pino(
    {
      level: options.level ?? process.env.LOG_LEVEL ?? 'info',
      base:
        options.service === undefined
          ? { service: 'portico-gateway' }
          : options.service
            ? { service: options.service }
            : {},
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: {
        level: (label) => ({ level: label }),
        bindings: (bindings) => redactSecrets(bindings),
        log: (object) => redactSecrets(object),
      },
    },
    options.destination ?? pino.destination({ sync: false }),
  );
}
