// One sync run: every configured feed is read and parsed completely before anything is written,
// then upserted by guid in one transaction per feed. A feed that fails (unreachable, too slow,
// not XML) is named in the run's error and its programs stay as they were. Rows are only touched
// when something changed, so running twice reports 0 added, 0 updated.
import type { Logger } from 'pino';
import type { Database } from '../../kit/index.ts';
import type { ProgramsConfig } from '../config.ts';
import { parseFeed } from './parseFeed.ts';
import type { FeedProgram } from './parseFeed.ts';
import { readFeed } from './readFeed.ts';

export interface SyncRun {
  id: string;
  trigger: string;
  startedAt: string;
  finishedAt: string | null;
  added: number;
  updated: number;
  error: string | null;
}

interface RunRow {
  id: string;
  trigger: string;
  started_at: Date;
  finished_at: Date | null;
  added: number;
  updated: number;
  error: string | null;
}

function toRun(row: RunRow): SyncRun {
  return {
    id: row.id,
    trigger: row.trigger,
    startedAt: row.started_at.toISOString(),
    finishedAt: row.finished_at?.toISOString() ?? null,
    added: row.added,
    updated: row.updated,
    error: row.error,
  };
}

async function upsertFeed(
  db: Database,
  feed: string,
  programs: FeedProgram[],
): Promise<{ added: number; updated: number }> {
  return db.transaction(async (tx) => {
    // Concurrent runs (the schedule and an admin, or two instances) apply a feed one at a time.
    await tx.query('select pg_advisory_xact_lock(hashtext($1))', [`programs:sync:${feed}`]);
    let added = 0;
    let updated = 0;
    for (const p of programs) {
      const result = await tx.query<{ inserted: boolean }>(
        `insert into programs.programs as p (guid, title, summary, category, link, starts_at, ends_at, feed)
         values ($1, $2, $3, $4, $5, $6, $7, $8)
         on conflict (guid) do update set
           title = excluded.title, summary = excluded.summary, category = excluded.category, link = excluded.link,
           starts_at = excluded.starts_at, ends_at = excluded.ends_at, feed = excluded.feed, updated_at = now()
         where (p.title, p.summary, p.category, p.link, p.starts_at, p.ends_at, p.feed)
               is distinct from (excluded.title, excluded.summary, excluded.category, excluded.link,
                                 excluded.starts_at, excluded.ends_at, excluded.feed)
         returning (xmax = 0) as inserted`,
        [p.guid, p.title, p.summary, p.category, p.link, p.startsAt, p.endsAt, feed],
      );
      const row = result.rows[0];
      if (row?.inserted) added += 1;
      else if (row) updated += 1;
    }
    return { added, updated };
  });
}

export async function syncPrograms(
  db: Database,
  config: ProgramsConfig,
  logger: Logger,
  trigger: 'start' | 'schedule' | 'admin',
): Promise<SyncRun> {
  const started = await db.query<{ id: string }>(
    `insert into programs.sync_runs (trigger) values ($1) returning id`,
    [trigger],
  );
  const runId = (started.rows[0] as { id: string }).id;
  let added = 0;
  let updated = 0;
  const errors: string[] = [];
  for (const feed of config.feeds) {
    try {
      const programs = await parseFeed(await readFeed(feed, config.feedTimeoutMs));
      const counts = await upsertFeed(db, feed, programs);
      added += counts.added;
      updated += counts.updated;
    } catch (error) {
      const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
      errors.push(`${feed}: ${reason}`);
      logger.warn({ feed, reason }, 'feed sync failed; its programs are unchanged');
    }
  }
  const finished = await db.query<RunRow>(
    `update programs.sync_runs set finished_at = now(), added = $2, updated = $3, error = $4
      where id = $1 returning id, trigger, started_at, finished_at, added, updated, error`,
    [runId, added, updated, errors.length ? errors.join('; ') : null],
  );
  const run = toRun(finished.rows[0] as RunRow);
  logger.info({ runId, added, updated, failedFeeds: errors.length }, 'programs sync finished');
  return run;
}
