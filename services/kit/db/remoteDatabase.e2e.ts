// One PGlite served to other processes' Database handles over a Unix socket (portico dev): the
// same statements, transactions that commit or roll back, Postgres error codes that survive the
// trip, a client that disconnects mid-transaction releasing the session, and reconnection.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isUniqueViolation } from './Database.ts';
import { openPGlite } from './pgliteDatabase.ts';
import { remoteDatabase } from './remoteDatabase.ts';
import { servePGlite } from './servePGlite.ts';

const socketPath = join(mkdtempSync(join(tmpdir(), 'portico-pglite-')), 'pglite.sock');
let pglite: PGlite;
let served: { close(): Promise<void> };

beforeAll(async () => {
  pglite = await openPGlite();
  served = await servePGlite(pglite, socketPath);
  await pglite.exec('create table items (id int primary key, name text, at timestamptz, data bytea)');
});
afterAll(async () => {
  await served?.close();
  await pglite?.close();
});

describe('remoteDatabase over servePGlite', () => {
  it('runs statements with parameters and keeps dates and bytes as they are', async () => {
    const db = remoteDatabase(socketPath);
    const at = new Date('2026-01-02T03:04:05.000Z');
    const inserted = await db.query('insert into items values ($1, $2, $3, $4) returning id', [
      1,
      'one',
      at,
      new Uint8Array([1, 2, 3]),
    ]);
    expect(inserted.rowCount).toBe(1);
    const { rows } = await db.query<{ name: string; at: Date; data: Uint8Array }>(
      'select name, at, data from items where id = $1',
      [1],
    );
    expect(rows[0]!.name).toBe('one');
    expect(rows[0]!.at).toBeInstanceOf(Date);
    expect(rows[0]!.at.toISOString()).toBe(at.toISOString());
    expect([...rows[0]!.data]).toEqual([1, 2, 3]);
    await db.close();
  });

  it('commits a transaction that resolves and rolls back one that throws', async () => {
    const db = remoteDatabase(socketPath);
    await db.transaction(async (tx) => {
      await tx.query("insert into items (id, name) values (2, 'two')");
    });
    await expect(
      db.transaction(async (tx) => {
        await tx.query("insert into items (id, name) values (3, 'three')");
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    const { rows } = await db.query<{ id: number }>('select id from items where id in (2, 3) order by id');
    expect(rows.map((row) => row.id)).toEqual([2]);
    await db.close();
  });

  it("carries a Postgres error's code and constraint (a unique violation stays one)", async () => {
    const db = remoteDatabase(socketPath);
    const error = await db.query("insert into items (id, name) values (1, 'again')").catch((e: unknown) => e);
    expect(isUniqueViolation(error, 'items_pkey')).toBe(true);
    await db.close();
  });

  it('a client gone mid-transaction has its work rolled back and the session freed', async () => {
    const quitter = remoteDatabase(socketPath);
    let entered!: () => void;
    const inside = new Promise<void>((resolve) => (entered = resolve));
    // Its work never finishes: the process holding it is gone as far as the host can tell.
    void quitter.transaction(async (tx) => {
      await tx.query("insert into items (id, name) values (4, 'four')");
      entered();
      await new Promise(() => {});
    });
    await inside;
    await quitter.close();
    const other = remoteDatabase(socketPath);
    const { rows } = await other.query('select id from items where id = 4');
    expect(rows).toEqual([]);
    await other.close();
  });

  it('a handle reconnects on its next call after the connection dropped', async () => {
    const db = remoteDatabase(socketPath);
    await db.ping();
    await db.close();
    await db.ping();
    await db.close();
  });
});
