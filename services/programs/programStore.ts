// The program catalog: keyset-paged listing in schedule order, full-text search, filters,
// registrations.
import type { Queryable } from '../kit/index.ts';

export interface Program {
  id: string;
  guid: string;
  title: string;
  summary: string | null;
  category: string | null;
  link: string | null;
  startsAt: string | null;
  endsAt: string | null;
  updatedAt: string;
}

interface Row {
  id: string;
  guid: string;
  title: string;
  summary: string | null;
  category: string | null;
  link: string | null;
  starts_at: Date | null;
  ends_at: Date | null;
  updated_at: Date;
  sort_key: string;
}

// Programs without a date sort last; the sort key travels in the cursor as text.
const SORT_KEY = `coalesce(starts_at, 'infinity'::timestamptz)`;
const COLUMNS = `id, guid, title, summary, category, link, starts_at, ends_at, updated_at, ${SORT_KEY}::text as sort_key`;

function toProgram(row: Row): Program {
  return {
    id: row.id,
    guid: row.guid,
    title: row.title,
    summary: row.summary,
    category: row.category,
    link: row.link,
    startsAt: row.starts_at?.toISOString() ?? null,
    endsAt: row.ends_at?.toISOString() ?? null,
    updatedAt: row.updated_at.toISOString(),
  };
}

export interface ProgramFilter {
  category?: string;
  from?: string;
  to?: string;
}

export interface ProgramPage {
  items: Program[];
  /** Sort key of the last item, when more may follow. */
  next: [string, string] | null;
}

export async function listPrograms(
  db: Queryable,
  options: { limit: number; after?: [string, string]; filter?: ProgramFilter },
): Promise<ProgramPage> {
  const params: unknown[] = [options.limit + 1];
  const where: string[] = [];
  const add = (value: unknown) => `$${params.push(value)}`;
  if (options.after)
    where.push(`(${SORT_KEY}, id) > (${add(options.after[0])}::timestamptz, ${add(options.after[1])}::uuid)`);
  if (options.filter?.category) where.push(`lower(category) = lower(${add(options.filter.category)})`);
  if (options.filter?.from) where.push(`starts_at >= ${add(options.filter.from)}::timestamptz`);
  if (options.filter?.to) where.push(`starts_at <= ${add(options.filter.to)}::timestamptz`);
  const result = await db.query<Row>(
    `select ${COLUMNS} from programs.programs ${where.length ? `where ${where.join(' and ')}` : ''}
      order by ${SORT_KEY}, id limit $1`,
    params,
  );
  const rows = result.rows.slice(0, options.limit);
  const last = rows[rows.length - 1];
  return {
    items: rows.map(toProgram),
    next: result.rows.length > options.limit && last ? [last.sort_key, last.id] : null,
  };
}

/** Postgres full-text search (websearch syntax: words, "phrases", -exclusions), best match first. */
export async function searchPrograms(db: Queryable, query: string, limit: number): Promise<Program[]> {
  const result = await db.query<Row>(
    `select ${COLUMNS} from programs.programs, websearch_to_tsquery('english', $1) q
      where search @@ q order by ts_rank(search, q) desc, id limit $2`,
    [query, limit],
  );
  return result.rows.map(toProgram);
}

export async function findProgram(db: Queryable, id: string): Promise<Program | undefined> {
  const result = await db.query<Row>(`select ${COLUMNS} from programs.programs where id = $1`, [id]);
  return result.rows[0] ? toProgram(result.rows[0]) : undefined;
}

export async function findProgramsByIds(db: Queryable, ids: string[]): Promise<Program[]> {
  const result = await db.query<Row>(`select ${COLUMNS} from programs.programs where id = any($1::uuid[])`, [
    ids,
  ]);
  return result.rows.map(toProgram);
}

export async function catalogIsEmpty(db: Queryable): Promise<boolean> {
  return (await db.query('select 1 from programs.programs limit 1')).rowCount === 0;
}

/** True when this call created the registration, false when it already existed. */
export async function register(
  db: Queryable,
  programId: string,
  userId: string,
): Promise<{ created: boolean; registeredAt: string }> {
  const inserted = await db.query<{ registered_at: Date }>(
    `insert into programs.registrations (program_id, user_id) values ($1, $2)
     on conflict do nothing returning registered_at`,
    [programId, userId],
  );
  if (inserted.rows[0]) return { created: true, registeredAt: inserted.rows[0].registered_at.toISOString() };
  const existing = await db.query<{ registered_at: Date }>(
    `select registered_at from programs.registrations where program_id = $1 and user_id = $2`,
    [programId, userId],
  );
  return {
    created: false,
    registeredAt: (existing.rows[0] as { registered_at: Date }).registered_at.toISOString(),
  };
}

/** Programs changed after change number `since`, in change order (`limit + 1` rows asked for). */
export async function listProgramChanges(
  db: Queryable,
  since: number,
  limit: number,
): Promise<(Program & { seq: number })[]> {
  const result = await db.query<Row & { change_seq: string }>(
    `select ${COLUMNS}, change_seq from programs.programs where change_seq > $1 order by change_seq limit $2`,
    [since, limit],
  );
  return result.rows.map((row) => ({ ...toProgram(row), seq: Number(row.change_seq) }));
}
