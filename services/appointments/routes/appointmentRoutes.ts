// POST /appointments, GET /appointments, GET | PUT | DELETE /appointments/{id},
// GET /appointments/events (the audit log, admin)
import Boom from '@hapi/boom';
import type { ServerRoute } from '@hapi/hapi';
import { z } from 'zod';
import {
  BEARER_STRATEGY,
  decodeCursor,
  hasRole,
  isUniqueViolation,
  keysetPage,
  log,
  pageLimit,
  requirePrincipal,
  requireRole,
  zodValidator,
} from '../../kit/index.ts';
import type { Database, Principal } from '../../kit/index.ts';
import {
  findVisible,
  insertAppointment,
  listEvents,
  listVisible,
  recordEvent,
  updateAppointment,
} from '../appointmentStore.ts';
import type { Appointment, AppointmentChanges } from '../appointmentStore.ts';
import { STATUSES, isLive, transitionRefusal } from '../statusTransitions.ts';

const futureInstant = z.iso.datetime({ offset: true }).refine((value) => {
  // An unparseable value already has its own issue; report only one per field.
  const time = Date.parse(value);
  return Number.isNaN(time) || time > Date.now();
}, 'must be in the future');

const CreateBody = z.object({
  serviceType: z.string().trim().min(1).max(64),
  startsAt: futureInstant,
  staffId: z.uuid().optional(),
  programId: z.uuid().optional(),
  notes: z.string().max(2000).optional(),
});
const UpdateBody = z
  .object({
    status: z.enum(STATUSES).optional(),
    staffId: z.uuid().nullable().optional(),
    notes: z.string().max(2000).nullable().optional(),
    startsAt: futureInstant.optional(),
    /** Why (a status change, a reassignment): kept in the audit log, not on the appointment. */
    reason: z.string().trim().min(1).max(500).optional(),
  })
  .refine(
    ({ reason: _reason, ...changes }) => Object.values(changes).some((value) => value !== undefined),
    'nothing to change',
  );
const EventsQuery = z.object({
  limit: pageLimit,
  cursor: z.string().max(200).optional(),
  appointmentId: z.uuid().optional(),
  actorId: z.uuid().optional(),
});
const IdParams = z.object({ id: z.uuid() });
const ListQuery = z.object({ limit: pageLimit, cursor: z.string().max(200).optional() });

const notFound = () => Boom.notFound('No such appointment.');
const slotTaken = () => Boom.conflict('This slot is already booked.');

/** Applies `changes` by `actor` with its audit record, or explains why not. */
async function change(
  db: Database,
  actor: Principal,
  id: string,
  changes: AppointmentChanges,
  reason?: string,
): Promise<Appointment> {
  try {
    return await db.transaction(async (tx) => {
      const current = await findVisible(tx, actor, id, true);
      if (!current) throw notFound();
      // Repeating a status change (a retried DELETE) is a no-op, not a conflict.
      if (Object.keys(changes).length === 1 && changes.status === current.status) return current;
      const isStaff = hasRole(actor, 'staff', 'admin');
      if (changes.staffId !== undefined && !isStaff)
        throw Boom.forbidden('Only staff can route an appointment.');
      if (changes.startsAt !== undefined && !isStaff && current.status !== 'requested') {
        throw Boom.conflict('Only a requested appointment can be rescheduled; cancel and book again.');
      }
      if (changes.status !== undefined && changes.status !== current.status) {
        const refusal = transitionRefusal(actor, current.status, changes.status);
        if (refusal) throw Boom.conflict(refusal);
      } else if (!isLive(current.status)) {
        throw Boom.conflict(`A ${current.status} appointment cannot be changed.`);
      }
      const updated = await updateAppointment(tx, id, changes);
      await recordEvent(tx, {
        appointmentId: id,
        actor,
        from: current.status,
        to: updated.status,
        changes: reason === undefined ? changes : { ...changes, reason },
      });
      return updated;
    });
  } catch (error) {
    if (isUniqueViolation(error, 'appointments_slot_taken')) throw slotTaken();
    throw error;
  }
}

export function appointmentRoutes(db: Database): ServerRoute[] {
  return [
    {
      method: 'POST',
      path: '/appointments',
      options: { auth: BEARER_STRATEGY, validate: { payload: zodValidator(CreateBody, 'appointment') } },
      async handler(request, h) {
        const student = requireRole(request, 'student');
        const body = request.payload as z.output<typeof CreateBody>;
        try {
          const appointment = await db.transaction(async (tx) => {
            const created = await insertAppointment(tx, { ...body, studentId: student.sub });
            await recordEvent(tx, {
              appointmentId: created.id,
              actor: student,
              from: null,
              to: created.status,
              changes: body,
            });
            return created;
          });
          log(request).info({ appointmentId: appointment.id }, 'appointment booked');
          return h.response(appointment).code(201);
        } catch (error) {
          if (isUniqueViolation(error, 'appointments_slot_taken')) throw slotTaken();
          throw error;
        }
      },
    },
    {
      method: 'GET',
      path: '/appointments',
      options: { auth: BEARER_STRATEGY, validate: { query: zodValidator(ListQuery, 'query') } },
      async handler(request) {
        const { limit, cursor } = request.query as z.output<typeof ListQuery>;
        const after = cursor ? (decodeCursor(cursor) as [string, string]) : undefined;
        const rows = await listVisible(db, requirePrincipal(request), { limit: limit + 1, after });
        return keysetPage(rows, limit, (row) => [row.startsAt, row.id]);
      },
    },
    {
      method: 'GET',
      path: '/appointments/events',
      options: { auth: BEARER_STRATEGY, validate: { query: zodValidator(EventsQuery, 'query') } },
      async handler(request) {
        requireRole(request, 'admin');
        const { limit, cursor, appointmentId, actorId } = request.query as z.output<typeof EventsQuery>;
        const before = cursor ? (decodeCursor(cursor) as [number]) : undefined;
        const rows = await listEvents(db, { limit: limit + 1, before: before?.[0], appointmentId, actorId });
        return keysetPage(rows, limit, (row) => [row.id]);
      },
    },
    {
      method: 'GET',
      path: '/appointments/{id}',
      options: { auth: BEARER_STRATEGY, validate: { params: zodValidator(IdParams, 'path') } },
      async handler(request) {
        const { id } = request.params as z.output<typeof IdParams>;
        const appointment = await findVisible(db, requirePrincipal(request), id);
        if (!appointment) throw notFound();
        return appointment;
      },
    },
    {
      method: 'PUT',
      path: '/appointments/{id}',
      options: {
        auth: BEARER_STRATEGY,
        validate: { params: zodValidator(IdParams, 'path'), payload: zodValidator(UpdateBody, 'changes') },
      },
      async handler(request) {
        const { id } = request.params as z.output<typeof IdParams>;
        const { reason, ...changes } = request.payload as z.output<typeof UpdateBody>;
        const updated = await change(db, requirePrincipal(request), id, changes, reason);
        log(request).info({ appointmentId: id, status: updated.status }, 'appointment changed');
        return updated;
      },
    },
    {
      method: 'DELETE',
      path: '/appointments/{id}',
      options: { auth: BEARER_STRATEGY, validate: { params: zodValidator(IdParams, 'path') } },
      async handler(request, h) {
        const { id } = request.params as z.output<typeof IdParams>;
        // DELETE cancels: the record and its audit trail stay.
        await change(db, requirePrincipal(request), id, { status: 'cancelled' });
        log(request).info({ appointmentId: id }, 'appointment cancelled');
        return h.response().code(204);
      },
    },
  ];
}
