// Database over an in-process PGlite. One PGlite is one Postgres session, so queries from
// every service sharing it run one at a time; schema-qualified SQL keeps the services apart.
import { PGlite } from '@electric-sql/pglite';
import type { Database, Queryable, QueryResult } from './Database.ts';
import { seedFromTemplate } from './pgliteTemplate.ts';

interface PGliteQueryable {
  query<Row>(text: string, params?: unknown[]): Promise<{ rows: Row[]; affectedRows?: number }>;
  exec(text: string): Promise<unknown>;
}

function wrap(target: PGliteQueryable): Queryable {
  return {
    async query<Row>(text: string, params?: unknown[]): Promise<QueryResult<Row>> {
      const result = await target.query<Row>(text, params);
      return { rows: result.rows, rowCount: result.rows.length || result.affectedRows || 0 };
    },
    async exec(text: string): Promise<void> {
      await target.exec(text);
    },
  };
}

export interface PGliteOpenOptions {
  /** A directory to persist to; in memory when absent. */
  dataDir?: string;
}

export async function openPGlite(options: PGliteOpenOptions = {}): Promise<PGlite> {
  if (options.dataDir) await seedFromTemplate(options.dataDir);
  const pglite = new PGlite(options.dataDir ? { dataDir: options.dataDir } : {});
  await pglite.waitReady;
  return pglite;
}

/**
 * A Database view of a PGlite instance. `ownsInstance` decides whether `close()` closes it:
 * services sharing one PGlite must not close it under each other.
 */
export function pgliteDatabase(pglite: PGlite, ownsInstance: boolean): Database {
  const base = wrap(pglite);
  return {
    ...base,
    transaction: (work) => pglite.transaction((tx) => work(wrap(tx))),
    async ping() {
      await pglite.query('select 1');
    },
    async close() {
      if (ownsInstance && !pglite.closed) await pglite.close();
    },
  };
}
