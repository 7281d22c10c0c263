// Runs appointments alone: PORT (7103), HOST, DATABASE_URL or DATA_DIR, IDENTITY_ISSUER / IDENTITY_JWKS_URL.
import { createLogger, openDatabase, stopOnSignals, tokenVerifierFromEnv } from '../kit/index.ts';
import { startAppointmentsService } from './startAppointmentsService.ts';

const logger = createLogger({ name: 'appointments' });
const service = await startAppointmentsService({
  db: await openDatabase(process.env, 'appointments'),
  logger,
  env: process.env,
  verifyToken: tokenVerifierFromEnv(process.env),
  host: process.env.HOST ?? '127.0.0.1',
  port: Number(process.env.PORT ?? 7103),
  ownsDatabase: true,
});
stopOnSignals(service, logger);
