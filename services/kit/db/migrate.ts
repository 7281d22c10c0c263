// Plain SQL migrations: `NNN_name.sql` files applied in name order, each in its own transaction,
// recorded in `<schema>.schema_migrations` so a restart applies only what is new.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Database } from './Database.ts';

const SCHEMA_NAME = /^[a-z_][a-z0-9_]*$/;

export async function migrate(db: Database, schema: string, directory: string): Promise<string[]> {
  if (!SCHEMA_NAME.test(schema)) throw new Error(`invalid schema name: ${schema}`);
  await db.exec(
    `create schema if not exists ${schema};
     create table if not exists ${schema}.schema_migrations (
       name text primary key,
       applied_at timestamptz not null default now()
     );`,
  );
  const files = (await readdir(directory)).filter((file) => file.endsWith('.sql')).sort();
  const applied: string[] = [];
  for (const file of files) {
    const sql = await readFile(join(directory, file), 'utf8');
    const ran = await db.transaction(async (tx) => {
      // Two instances starting together against one Postgres: the lock makes the second wait
      // and then see the first one's record.
      await tx.query('select pg_advisory_xact_lock(hashtext($1))', [`migrate:${schema}`]);
      const done = await tx.query(`select 1 from ${schema}.schema_migrations where name = $1`, [file]);
      if (done.rowCount > 0) return false;
      await tx.exec(sql);
      await tx.query(`insert into ${schema}.schema_migrations (name) values ($1)`, [file]);
      return true;
    });
    if (ran) applied.push(file);
  }
  return applied;
}
