// Bookable slots: a fixed grid (weekdays 09:00–16:30 UTC, every 30 minutes) minus past starts and
// slots already held by a live appointment with no staff member (what a student's booking takes).
import type { Queryable } from '../kit/index.ts';

const FIRST_HOUR = 9;
const LAST_START_HOUR = 16.5;
const STEP_MINUTES = 30;

export function slotGrid(date: string): Date[] {
  const day = new Date(`${date}T00:00:00Z`);
  const weekday = day.getUTCDay();
  if (weekday === 0 || weekday === 6) return [];
  const slots: Date[] = [];
  for (let hour = FIRST_HOUR; hour <= LAST_START_HOUR; hour += STEP_MINUTES / 60) {
    slots.push(new Date(day.getTime() + hour * 3_600_000));
  }
  return slots;
}

export async function freeSlots(
  db: Queryable,
  serviceType: string,
  date: string,
  now: Date,
): Promise<string[]> {
  const grid = slotGrid(date).filter((slot) => slot > now);
  if (grid.length === 0) return [];
  const taken = await db.query<{ starts_at: Date }>(
    `select starts_at from appointments.appointments
      where service_type = $1 and staff_id is null and status in ('requested', 'confirmed')
        and starts_at = any($2::timestamptz[])`,
    [serviceType, grid.map((slot) => slot.toISOString())],
  );
  const held = new Set(taken.rows.map((row) => row.starts_at.getTime()));
  return grid.filter((slot) => !held.has(slot.getTime())).map((slot) => slot.toISOString());
}
