// The services' pino logger: JSON, one line per event, secrets and personal data redacted
// wherever they appear in a log object (contracts/redactSecrets.ts).
import { pino } from 'pino';
import type { Logger } from 'pino';
import { redactSecrets } from '../../contracts/redactSecrets.ts';

export function createLogger(options: { level?: string; name?: string } = {}): Logger {
  return pino({
    name: options.name ?? 'portico-services',
    level: options.level ?? process.env.LOG_LEVEL ?? 'info',
    formatters: {
      bindings: (bindings) => redactSecrets(bindings),
      log: (object) => redactSecrets(object),
    },
  });
}
