// Appointments in Postgres. Visibility is part of every query (`visibleTo`), so an id that the
// caller may not see behaves exactly like one that does not exist.
import type { Principal, Queryable } from '../kit/index.ts';
import { hasRole } from '../kit/index.ts';
import type { Status } from './statusTransitions.ts';

export interface Appointment {
  id: string;
  studentId: string;
  staffId: string | null;
  programId: string | null;
  serviceType: string;
  startsAt: string;
  status: Status;
  notes: string | null;
  createdAt: string;
  updatedAt: string;
}

interface Row {
  id: string;
  student_id: string;
  staff_id: string | null;
  program_id: string | null;
  service_type: string;
  starts_at: Date;
  status: Status;
  notes: string | null;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS =
  'id, student_id, staff_id, program_id, service_type, starts_at, status, notes, created_at, updated_at';

function toAppointment(row: Row): Appointment {
  return {
    id: row.id,
    studentId: row.student_id,
    staffId: row.staff_id,
    programId: row.program_id,
    serviceType: row.service_type,
    startsAt: row.starts_at.toISOString(),
    status: row.status,
    notes: row.notes,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/**
 * SQL predicate (parameter `$n` = caller id) for what a caller sees: admins everything; staff
 * what is routed to them plus the unrouted queue they pick from; students their own.
 */
function visibleTo(principal: Principal, param: number): string {
  // Admins see everything; the parameter is still referenced so its type is known.
  if (hasRole(principal, 'admin')) return `($${param}::uuid is not null)`;
  const clauses = [`student_id = $${param}`];
  if (hasRole(principal, 'staff')) clauses.push(`staff_id = $${param}`, 'staff_id is null');
  return `(${clauses.join(' or ')})`;
}

export async function insertAppointment(
  db: Queryable,
  input: {
    studentId: string;
    staffId?: string;
    programId?: string;
    serviceType: string;
    startsAt: string;
    notes?: string;
  },
): Promise<Appointment> {
  const result = await db.query<Row>(
    `insert into appointments.appointments (student_id, staff_id, program_id, service_type, starts_at, notes)
     values ($1, $2, $3, $4, $5, $6) returning ${COLUMNS}`,
    [
      input.studentId,
      input.staffId ?? null,
      input.programId ?? null,
      input.serviceType,
      input.startsAt,
      input.notes ?? null,
    ],
  );
  return toAppointment(result.rows[0] as Row);
}

export async function findVisible(
  db: Queryable,
  principal: Principal,
  id: string,
  forUpdate = false,
): Promise<Appointment | undefined> {
  const result = await db.query<Row>(
    `select ${COLUMNS} from appointments.appointments where id = $2 and ${visibleTo(principal, 1)}${forUpdate ? ' for update' : ''}`,
    [principal.sub, id],
  );
  return result.rows[0] ? toAppointment(result.rows[0]) : undefined;
}

export async function listVisible(
  db: Queryable,
  principal: Principal,
  page: { limit: number; after?: [string, string] },
): Promise<Appointment[]> {
  const params: unknown[] = [principal.sub, page.limit];
  let keyset = '';
  if (page.after) {
    params.push(page.after[0], page.after[1]);
    keyset = 'and (starts_at, id) > ($3::timestamptz, $4::uuid)';
  }
  const result = await db.query<Row>(
    `select ${COLUMNS} from appointments.appointments
      where ${visibleTo(principal, 1)} ${keyset}
      order by starts_at, id limit $2`,
    params,
  );
  return result.rows.map(toAppointment);
}

export async function findByIds(db: Queryable, principal: Principal, ids: string[]): Promise<Appointment[]> {
  const result = await db.query<Row>(
    `select ${COLUMNS} from appointments.appointments where id = any($2::uuid[]) and ${visibleTo(principal, 1)}`,
    [principal.sub, ids],
  );
  return result.rows.map(toAppointment);
}

export interface AppointmentChanges {
  status?: Status;
  staffId?: string | null;
  notes?: string | null;
  startsAt?: string;
}

export async function updateAppointment(
  db: Queryable,
  id: string,
  changes: AppointmentChanges,
): Promise<Appointment> {
  const result = await db.query<Row>(
    `update appointments.appointments set
        status = coalesce($2, status),
        staff_id = case when $3::boolean then $4::uuid else staff_id end,
        notes = case when $5::boolean then $6::text else notes end,
        starts_at = coalesce($7::timestamptz, starts_at),
        updated_at = now()
      where id = $1 returning ${COLUMNS}`,
    [
      id,
      changes.status ?? null,
      changes.staffId !== undefined,
      changes.staffId ?? null,
      changes.notes !== undefined,
      changes.notes ?? null,
      changes.startsAt ?? null,
    ],
  );
  return toAppointment(result.rows[0] as Row);
}

export async function recordEvent(
  db: Queryable,
  event: { appointmentId: string; actor: Principal; from: Status | null; to: Status; changes: object },
): Promise<void> {
  await db.query(
    `insert into appointments.appointment_events (appointment_id, actor_id, actor_roles, from_status, to_status, changes)
     values ($1, $2, $3, $4, $5, $6)`,
    [
      event.appointmentId,
      event.actor.sub,
      event.actor.roles,
      event.from,
      event.to,
      JSON.stringify(event.changes),
    ],
  );
}

export interface AppointmentEvent {
  id: number;
  appointmentId: string;
  actorId: string;
  actorRoles: string[];
  at: string;
  fromStatus: Status | null;
  toStatus: Status;
  changes: Record<string, unknown>;
}

interface EventRow {
  id: string | number;
  appointment_id: string;
  actor_id: string;
  actor_roles: string[];
  at: Date;
  from_status: Status | null;
  to_status: Status;
  changes: Record<string, unknown> | string;
}

/** The audit log, newest first; `before` is the id of the previous page's last event. */
export async function listEvents(
  db: Queryable,
  filter: { limit: number; before?: number; appointmentId?: string; actorId?: string },
): Promise<AppointmentEvent[]> {
  const result = await db.query<EventRow>(
    `select id, appointment_id, actor_id, actor_roles, at, from_status, to_status, changes
       from appointments.appointment_events
      where ($2::bigint is null or id < $2)
        and ($3::uuid is null or appointment_id = $3)
        and ($4::uuid is null or actor_id = $4)
      order by id desc limit $1`,
    [filter.limit, filter.before ?? null, filter.appointmentId ?? null, filter.actorId ?? null],
  );
  return result.rows.map((row) => ({
    id: Number(row.id),
    appointmentId: row.appointment_id,
    actorId: row.actor_id,
    actorRoles: row.actor_roles,
    at: row.at.toISOString(),
    fromStatus: row.from_status,
    toStatus: row.to_status,
    changes:
      typeof row.changes === 'string' ? (JSON.parse(row.changes) as Record<string, unknown>) : row.changes,
  }));
}
