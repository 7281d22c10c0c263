// The web app's screens, one request each: the BFF fans out to the services in parallel and
// returns what the screen shows. GET {prefix}/dashboard, GET {prefix}/queue,
// POST {prefix}/queue/{id}/assign, POST {prefix}/queue/{id}/status, POST {prefix}/resources,
// GET {prefix}/audit.
import type { Readable } from 'node:stream';
import Boom from '@hapi/boom';
import type { Request } from '@hapi/hapi';
import { z } from 'zod';
import type { HandlerRoute } from '../../../contracts/plugin.ts';
import type { UpstreamClient } from '../../../contracts/upstream.ts';
import { callAs, type CallOptions } from '../serviceCalls.ts';
import type { ActiveSession } from '../sessions.ts';
import type { WebBff } from '../webBff.ts';

interface Appointment {
  id: string;
  studentId: string;
  staffId: string | null;
  programId: string | null;
  serviceType: string;
  startsAt: string;
  status: string;
  notes: string | null;
}
interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
interface Person {
  id: string;
  name: string | null;
  roles: string[];
}
interface Resource {
  id: string;
  title: string;
  description: string | null;
  size: number;
  version: number;
  updatedAt: string;
}

const IdParams = z.object({ id: z.uuid() });
const AssignBody = z.object({
  staffId: z.uuid().nullable(),
  reason: z.string().trim().min(1).max(500).optional(),
});
const StatusBody = z.object({
  status: z.enum(['confirmed', 'declined', 'completed', 'cancelled']),
  reason: z.string().trim().min(1, 'a reason is required').max(500),
});
const AuditQuery = z.object({
  source: z.enum(['appointments', 'resources']).default('appointments'),
  actorId: z.uuid().optional(),
  targetId: z.uuid().optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});

function parse<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const result = schema.safeParse(value ?? {});
  if (!result.success)
    throw Boom.badRequest(
      `Invalid ${what}: ${result.error.issues.map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`).join('; ')}`,
    );
  return result.data;
}

const unique = (values: (string | null | undefined)[]) => [
  ...new Set(values.filter((value): value is string => Boolean(value))),
];

export function viewRoutes(bff: WebBff): HandlerRoute[] {
  const { gateway, options } = bff;
  const { prefix } = options;
  // Clients are resolved per route when the route is built: the route's upstream pipeline applies.
  const clients = (routeId: string) => ({
    identity: gateway.upstream(options.upstreams.identity, routeId),
    programs: gateway.upstream(options.upstreams.programs, routeId),
    appointments: gateway.upstream(options.upstreams.appointments, routeId),
    resources: gateway.upstream(options.upstreams.resources, routeId),
  });
  const as =
    (request: Request, session: ActiveSession) =>
    <T>(client: UpstreamClient, call: CallOptions) =>
      callAs<T>(gateway, client, request, session, call);

  /** Names by id, for showing people; an empty list costs no call. */
  async function people(
    call: ReturnType<typeof as>,
    identity: UpstreamClient,
    ids: string[],
  ): Promise<Map<string, Person>> {
    if (ids.length === 0) return new Map();
    const page = await call<{ items: Person[] }>(identity, {
      path: `/auth/users?ids=${ids.slice(0, 100).join(',')}`,
    });
    return new Map(page.items.map((person) => [person.id, person]));
  }
  const personView = (map: Map<string, Person>, id: string | null) =>
    id === null ? null : { id, name: map.get(id)?.name ?? null };

  const dashboard = clients('web.dashboard');
  const queue = clients('web.queue');
  const assign = clients('web.queue.assign');
  const status = clients('web.queue.status');
  const upload = clients('web.resources.publish');
  const audit = clients('web.audit');

  return [
    {
      id: 'web.dashboard',
      method: 'GET',
      path: `${prefix}/dashboard`,
      auth: 'none',
      async handler(request) {
        const session = await bff.requireSession(request);
        const call = as(request, session);
        const [appointments, resources] = await Promise.all([
          call<Page<Appointment>>(dashboard.appointments, { path: '/appointments?limit=50' }),
          call<Page<Resource>>(dashboard.resources, { path: '/resources?limit=20' }),
        ]);
        const programIds = unique(appointments.items.map((item) => item.programId));
        const [staff, programs] = await Promise.all([
          people(call, dashboard.identity, unique(appointments.items.map((item) => item.staffId))),
          Promise.all(
            programIds.map((id) =>
              call<{ id: string; title: string }>(dashboard.programs, { path: `/programs/${id}` }).catch(
                (error: unknown) => {
                  // A program that went away leaves its appointments without a title, not the page broken.
                  if (Boom.isBoom(error) && error.output.statusCode === 404) return undefined;
                  throw error;
                },
              ),
            ),
          ),
        ]);
        const titles = new Map(
          programs.filter((program) => program !== undefined).map((program) => [program.id, program.title]),
        );
        return {
          user: session.record.user,
          appointments: appointments.items.map((item) => ({
            id: item.id,
            serviceType: item.serviceType,
            startsAt: item.startsAt,
            status: item.status,
            notes: item.notes,
            program:
              item.programId === null
                ? null
                : { id: item.programId, title: titles.get(item.programId) ?? null },
            staff: personView(staff, item.staffId),
          })),
          resources: resources.items.map(({ id, title, description, size, version, updatedAt }) => ({
            id,
            title,
            description,
            size,
            version,
            updatedAt,
          })),
        };
      },
    },
    {
      id: 'web.queue',
      method: 'GET',
      path: `${prefix}/queue`,
      auth: 'none',
      async handler(request) {
        const session = await bff.requireSession(request, 'staff', 'admin');
        const call = as(request, session);
        const [appointments, staff] = await Promise.all([
          call<Page<Appointment>>(queue.appointments, { path: '/appointments?limit=100' }),
          call<{ items: Person[] }>(queue.identity, { path: '/auth/users?role=staff' }),
        ]);
        const live = appointments.items.filter(
          (item) => item.status === 'requested' || item.status === 'confirmed',
        );
        const students = await people(call, queue.identity, unique(live.map((item) => item.studentId)));
        const staffById = new Map(staff.items.map((person) => [person.id, person]));
        const row = (item: Appointment) => ({
          id: item.id,
          serviceType: item.serviceType,
          startsAt: item.startsAt,
          status: item.status,
          student: personView(students, item.studentId),
          staff: personView(staffById, item.staffId),
        });
        const me = session.record.user.id;
        return {
          unassigned: live.filter((item) => item.staffId === null && item.status === 'requested').map(row),
          mine: live.filter((item) => item.staffId === me).map(row),
          staff: staff.items.map(({ id, name }) => ({ id, name })),
        };
      },
    },
    {
      id: 'web.queue.assign',
      method: 'POST',
      path: `${prefix}/queue/{id}/assign`,
      auth: 'none',
      body: { mode: 'buffer', maxBytes: 8 * 1024, parse: true },
      async handler(request) {
        const session = await bff.requireSession(request, 'staff', 'admin');
        const { id } = parse(IdParams, request.params, 'path');
        const body = parse(AssignBody, request.payload, 'assignment');
        return as(request, session)<Appointment>(assign.appointments, {
          method: 'PUT',
          path: `/appointments/${id}`,
          json: body,
        });
      },
    },
    {
      id: 'web.queue.status',
      method: 'POST',
      path: `${prefix}/queue/{id}/status`,
      auth: 'none',
      body: { mode: 'buffer', maxBytes: 8 * 1024, parse: true },
      async handler(request) {
        const session = await bff.requireSession(request, 'staff', 'admin');
        const { id } = parse(IdParams, request.params, 'path');
        const body = parse(StatusBody, request.payload, 'status change');
        return as(request, session)<Appointment>(status.appointments, {
          method: 'PUT',
          path: `/appointments/${id}`,
          json: body,
        });
      },
    },
    {
      id: 'web.resources.publish',
      method: 'POST',
      path: `${prefix}/resources`,
      auth: 'none',
      // Streamed through to resources, which checks it is a PDF; the BFF never buffers the file.
      body: { mode: 'stream', maxBytes: options.maxUploadSize },
      async handler(request, h) {
        const session = await bff.requireSession(request, 'staff', 'admin');
        const type = request.headers['content-type'] as string | undefined;
        if (!type?.toLowerCase().startsWith('multipart/form-data'))
          throw Boom.unsupportedMediaType('Upload a multipart/form-data form with a "file" part.');
        const created = await as(request, session)<Resource>(upload.resources, {
          method: 'POST',
          path: '/resources',
          body: request.payload as Readable,
          headers: { 'content-type': type },
        });
        return h.response(created).code(201);
      },
    },
    {
      id: 'web.audit',
      method: 'GET',
      path: `${prefix}/audit`,
      auth: 'none',
      async handler(request) {
        const session = await bff.requireSession(request, 'admin');
        const query = parse(AuditQuery, request.query, 'query');
        const call = as(request, session);
        const search = new URLSearchParams({ limit: String(query.limit) });
        if (query.cursor) search.set('cursor', query.cursor);
        if (query.actorId) search.set('actorId', query.actorId);
        const target = query.source === 'appointments' ? 'appointmentId' : 'resourceId';
        if (query.targetId) search.set(target, query.targetId);
        const client = query.source === 'appointments' ? audit.appointments : audit.resources;
        const page = await call<Page<Record<string, unknown> & { actorId: string }>>(client, {
          path: `/${query.source}/events?${search}`,
        });
        const actors = await people(call, audit.identity, unique(page.items.map((item) => item.actorId)));
        return {
          source: query.source,
          items: page.items.map((item) => ({
            at: item.at,
            actor: personView(actors, item.actorId),
            action:
              query.source === 'appointments'
                ? `${String(item.fromStatus ?? 'new')} → ${String(item.toStatus)}`
                : item.action,
            target: { kind: query.source === 'appointments' ? 'appointment' : 'resource', id: item[target] },
            changes: item.changes,
          })),
          nextCursor: page.nextCursor,
        };
      },
    },
  ];
}
