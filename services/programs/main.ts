// Runs programs alone: PORT (7102), HOST, DATABASE_URL or DATA_DIR, IDENTITY_ISSUER / IDENTITY_JWKS_URL.
import { createLogger, openDatabase, stopOnSignals, tokenVerifierFromEnv } from '../kit/index.ts';
import { startProgramsService } from './startProgramsService.ts';

const logger = createLogger({ name: 'programs' });
const service = await startProgramsService({
  db: await openDatabase(process.env, 'programs'),
  logger,
  env: process.env,
  verifyToken: tokenVerifierFromEnv(process.env),
  host: process.env.HOST ?? '127.0.0.1',
  port: Number(process.env.PORT ?? 7102),
  ownsDatabase: true,
});
stopOnSignals(service, logger);
