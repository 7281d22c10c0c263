// The empty cluster new data directories are copied from: a copy opens as a working database, and
// a directory that already holds a cluster is never overwritten.
import { mkdtempSync } from 'node:fs';
import { readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openPGlite } from './pgliteDatabase.ts';
import { preparePgliteTemplate, seedFromTemplate } from './pgliteTemplate.ts';

describe('PGlite template', () => {
  it('seeds an empty data directory, which then opens and keeps what is written', async () => {
    await preparePgliteTemplate();
    const dataDir = join(mkdtempSync(join(tmpdir(), 'portico-template-')), 'db');
    expect(await seedFromTemplate(dataDir)).toBe(true);
    expect(await readdir(dataDir)).toContain('PG_VERSION');

    const first = await openPGlite({ dataDir });
    await first.exec('create table kept (value text); insert into kept values ($$written$$)');
    await first.close();
    const again = await openPGlite({ dataDir });
    expect((await again.query<{ value: string }>('select value from kept')).rows).toEqual([
      { value: 'written' },
    ]);
    await again.close();

    // A cluster is there now: seeding again must leave it (and the table) alone.
    expect(await seedFromTemplate(dataDir)).toBe(false);
    const third = await openPGlite({ dataDir });
    expect((await third.query('select value from kept')).rows).toHaveLength(1);
    await third.close();
  }, 60_000);

  it('leaves a non-empty directory without a cluster to PGlite', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'portico-template-other-'));
    await writeFile(join(dataDir, 'notes.txt'), 'mine');
    expect(await seedFromTemplate(dataDir)).toBe(false);
    expect(await readdir(dataDir)).toEqual(['notes.txt']);
  });
});
