// Push devices: a token belongs to one user at a time (a phone that changes hands moves with it).
import type { Queryable } from '../../kit/index.ts';

export interface Device {
  id: string;
  platform: 'ios' | 'android';
  appVersion: string | null;
  createdAt: string;
  updatedAt: string;
}

interface Row {
  id: string;
  platform: 'ios' | 'android';
  app_version: string | null;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = 'id, platform, app_version, created_at, updated_at';

function toDevice(row: Row): Device {
  return {
    id: row.id,
    platform: row.platform,
    appVersion: row.app_version,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/** Registers (or re-registers) a token; `created` is false when the token was known already. */
export async function upsertDevice(
  db: Queryable,
  input: { userId: string; token: string; platform: 'ios' | 'android'; appVersion?: string },
): Promise<{ device: Device; created: boolean }> {
  const result = await db.query<Row & { inserted: boolean }>(
    `insert into appointments.devices (user_id, token, platform, app_version) values ($1, $2, $3, $4)
     on conflict (token) do update set user_id = excluded.user_id, platform = excluded.platform,
       app_version = excluded.app_version, updated_at = now()
     returning ${COLUMNS}, (xmax = 0) as inserted`,
    [input.userId, input.token, input.platform, input.appVersion ?? null],
  );
  const row = result.rows[0] as Row & { inserted: boolean };
  return { device: toDevice(row), created: row.inserted };
}

export async function deleteDevice(db: Queryable, userId: string, id: string): Promise<boolean> {
  const result = await db.query('delete from appointments.devices where id = $1 and user_id = $2', [
    id,
    userId,
  ]);
  return result.rowCount > 0;
}

export async function listDevices(db: Queryable, userId: string): Promise<Device[]> {
  const result = await db.query<Row>(
    `select ${COLUMNS} from appointments.devices where user_id = $1 order by created_at, id`,
    [userId],
  );
  return result.rows.map(toDevice);
}
