// Picks the storage from the environment: `pg` when DATABASE_URL is set, a PGlite served by
// another process when PGLITE_SOCKET is (`portico dev`), else a PGlite of its own (a data
// directory when DATA_DIR is set, in memory otherwise).
import { join } from 'node:path';
import { mkdir } from 'node:fs/promises';
import type { Database } from './Database.ts';
import { pgDatabase } from './pgDatabase.ts';
import { openPGlite, pgliteDatabase } from './pgliteDatabase.ts';
import { remoteDatabase } from './remoteDatabase.ts';

export interface DatabaseEnv {
  DATABASE_URL?: string;
  DATA_DIR?: string;
  PGLITE_SOCKET?: string;
}

/** Opens a database owned by one service (used by `services/<name>/main.ts`). */
export async function openDatabase(env: DatabaseEnv, serviceName: string): Promise<Database> {
  if (env.DATABASE_URL) return pgDatabase(env.DATABASE_URL);
  if (env.PGLITE_SOCKET) return remoteDatabase(env.PGLITE_SOCKET);
  let dataDir: string | undefined;
  if (env.DATA_DIR) {
    dataDir = join(env.DATA_DIR, 'pglite', serviceName);
    await mkdir(dataDir, { recursive: true });
  }
  return pgliteDatabase(await openPGlite(dataDir ? { dataDir } : {}), true);
}
