// `npx tsx services/identity/cli/rotateKeys.ts`: publishes a new key, which starts signing after
// the pre-publication time (IDENTITY_KEY_PREPUBLICATION). The previous key stays in the JWKS for
// the grace period (IDENTITY_KEY_GRACE) after that, until the last token it signed has expired.
// Works on the database a stopped or separately running identity uses: DATABASE_URL, or the
// PGlite under DATA_DIR (only while no process has it open). A running in-memory identity is
// rotated through its admin endpoint instead: POST /auth/keys/rotate.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { migrate, openPGlite, pgDatabase, pgliteDatabase } from '../../kit/index.ts';
import type { Database } from '../../kit/index.ts';
import { readIdentityConfig } from '../config.ts';
import { IDENTITY_SCHEMA } from '../startIdentityService.ts';
import { createSigningKeys } from '../keys/signingKeys.ts';

async function open(env: NodeJS.ProcessEnv): Promise<Database> {
  if (env.DATABASE_URL) return pgDatabase(env.DATABASE_URL, { max: 1 });
  if (!env.DATA_DIR)
    throw new Error(
      'set DATABASE_URL or DATA_DIR (an in-memory identity rotates via POST /auth/keys/rotate)',
    );
  // `portico dev` keeps one shared PGlite; `services/identity/main.ts` its own.
  const shared = join(env.DATA_DIR, 'pglite', 'shared');
  const dataDir = existsSync(shared) ? shared : join(env.DATA_DIR, 'pglite', 'identity');
  if (!existsSync(dataDir)) throw new Error(`no identity database under ${env.DATA_DIR}`);
  return pgliteDatabase(await openPGlite({ dataDir }), true);
}

try {
  const config = readIdentityConfig(process.env);
  const db = await open(process.env);
  try {
    await migrate(db, IDENTITY_SCHEMA, new URL('../migrations', import.meta.url).pathname);
    const { kid, activatesAt } = await createSigningKeys(db, config.keyTimeline).rotate();
    console.log(`identity: published key ${kid}; it signs from ${activatesAt.toISOString()}`);
  } finally {
    await db.close();
  }
} catch (error) {
  console.error(`identity: key rotation failed: ${(error as Error).message}`);
  process.exitCode = 1;
}
