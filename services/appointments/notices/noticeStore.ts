// Notices: what a student is told when someone else changes their appointment, with read state.
// Writing a notice also queues one push per registered device in the same transaction (outbox).
import type { Queryable } from '../../kit/index.ts';

export interface Notice {
  id: string;
  appointmentId: string;
  status: string;
  title: string;
  createdAt: string;
  readAt: string | null;
}

interface Row {
  id: string;
  appointment_id: string;
  status: string;
  title: string;
  created_at: Date;
  read_at: Date | null;
}

const COLUMNS = 'id, appointment_id, status, title, created_at, read_at';

function toNotice(row: Row): Notice {
  return {
    id: row.id,
    appointmentId: row.appointment_id,
    status: row.status,
    title: row.title,
    createdAt: row.created_at.toISOString(),
    readAt: row.read_at?.toISOString() ?? null,
  };
}

/** Writes the notice and its outbox rows (one per device the user has now); returns the notice. */
export async function insertNotice(
  db: Queryable,
  input: { userId: string; appointmentId: string; status: string; title: string },
): Promise<Notice> {
  const result = await db.query<Row>(
    `insert into appointments.notices (user_id, appointment_id, status, title)
     values ($1, $2, $3, $4) returning ${COLUMNS}`,
    [input.userId, input.appointmentId, input.status, input.title],
  );
  const notice = toNotice(result.rows[0] as Row);
  const payload = {
    title: notice.title,
    data: { noticeId: notice.id, appointmentId: notice.appointmentId, status: notice.status },
  };
  await db.query(
    `insert into appointments.push_outbox (device_id, notice_id, payload)
     select id, $2, $3 from appointments.devices where user_id = $1`,
    [input.userId, notice.id, JSON.stringify(payload)],
  );
  return notice;
}

export async function listNotices(
  db: Queryable,
  userId: string,
  options: { limit: number; unread: boolean; after?: [string, string] },
): Promise<Notice[]> {
  const params: unknown[] = [userId, options.limit];
  const where = ['user_id = $1'];
  if (options.unread) where.push('read_at is null');
  if (options.after) {
    params.push(options.after[0], options.after[1]);
    where.push('(created_at, id) < ($3::timestamptz, $4::uuid)');
  }
  const result = await db.query<Row>(
    `select ${COLUMNS} from appointments.notices where ${where.join(' and ')}
      order by created_at desc, id desc limit $2`,
    params,
  );
  return result.rows.map(toNotice);
}

export async function countUnread(db: Queryable, userId: string): Promise<number> {
  const result = await db.query<{ n: string }>(
    'select count(*) as n from appointments.notices where user_id = $1 and read_at is null',
    [userId],
  );
  return Number(result.rows[0]?.n ?? 0);
}

/** Marks the notice read (the first read time stays); undefined when it is not the user's. */
export async function markRead(db: Queryable, userId: string, id: string): Promise<Notice | undefined> {
  const result = await db.query<Row>(
    `update appointments.notices set read_at = coalesce(read_at, now())
      where id = $1 and user_id = $2 returning ${COLUMNS}`,
    [id, userId],
  );
  return result.rows[0] ? toNotice(result.rows[0]) : undefined;
}
