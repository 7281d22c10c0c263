// Runs resources alone: PORT (7104), HOST, DATABASE_URL or DATA_DIR, IDENTITY_ISSUER / IDENTITY_JWKS_URL.
import { createLogger, openDatabase, stopOnSignals, tokenVerifierFromEnv } from '../kit/index.ts';
import { startResourcesService } from './startResourcesService.ts';

const logger = createLogger({ name: 'resources' });
const service = await startResourcesService({
  db: await openDatabase(process.env, 'resources'),
  logger,
  env: process.env,
  verifyToken: tokenVerifierFromEnv(process.env),
  host: process.env.HOST ?? '127.0.0.1',
  port: Number(process.env.PORT ?? 7104),
  ownsDatabase: true,
});
stopOnSignals(service, logger);
