// JSON lines through pino, with secrets and personal data redacted wherever they appear in a log object.
import pino, { type DestinationStream, type Logger } from 'pino';

const SECRET_KEYS = [
  'authorization',
  'cookie',
  'set-cookie',
  'password',
  'token',
  'access_token',
  'refresh_token',
  'id_token',
  'x-api-key',
  'apiKey',
  'email',
  'secret',
];

const topLevel = (key: string) => (/^[A-Za-z_]\w*$/.test(key) ? key : `[${JSON.stringify(key)}]`);

/** The keys at the top, and one and two levels down (e.g. `req.headers.authorization`, `body.user.email`). */
export const REDACT_PATHS = [
  ...SECRET_KEYS.map(topLevel),
  ...SECRET_KEYS.map((key) => `*[${JSON.stringify(key)}]`),
  ...SECRET_KEYS.map((key) => `*.*[${JSON.stringify(key)}]`),
];

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
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    options.destination ?? pino.destination({ sync: false }),
  );
}
