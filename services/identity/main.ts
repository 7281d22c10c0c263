// Runs identity alone (for deploying it separately): PORT (7101), HOST, DATABASE_URL or DATA_DIR.
import { createLogger, openDatabase, stopOnSignals } from '../kit/index.ts';
import { startIdentityService } from './startIdentityService.ts';

const logger = createLogger({ name: 'identity' });
const db = await openDatabase(process.env, 'identity');
const service = await startIdentityService({
  db,
  logger,
  env: process.env,
  host: process.env.HOST ?? '127.0.0.1',
  port: Number(process.env.PORT ?? 7101),
  ownsDatabase: true,
});
stopOnSignals(service, logger);
