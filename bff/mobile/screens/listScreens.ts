// The list screens (programs, resources, appointments), a program's page and the free slots:
// one service each, cursor-paged (the service's opaque cursor is passed through as `next`).
import type { HandlerRoute } from '../../../contracts/plugin.ts';
import Boom from '@hapi/boom';
import { z } from 'zod';
import type { Appointment, Page, Program, Resource } from '../compact.ts';
import { mobileAppointment, mobileProgram, mobileProgramDetail, mobileResource } from '../compact.ts';
import { parseQuery, qs, userIdOf, type ScreenDeps } from './screenDeps.ts';

const ListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(300).optional(),
  fields: z.string().max(500).optional(),
});
const SlotsQuery = z.object({
  type: z.string().trim().min(1).max(64),
  date: z.iso.date(),
  fields: z.string().max(500).optional(),
});
const IdParams = z.object({ id: z.uuid() });

const nextOf = (page: Page<unknown>) => (page.nextCursor ? { next: page.nextCursor } : {});

export function listScreens(deps: ScreenDeps): HandlerRoute[] {
  const { call, sections, send, options } = deps;
  const list = <T, I>(
    routeId: string,
    path: string,
    name: string,
    service: 'programs' | 'resources' | 'appointments',
    upstreamPath: string,
    compact: (item: T) => I,
  ): HandlerRoute => ({
    id: routeId,
    method: 'GET',
    path,
    auth: 'required',
    async handler(request, h) {
      const query = parseQuery(ListQuery, request);
      const userId = userIdOf(deps, request);
      const screen = await sections(`${userId}\0${query.limit}\0${query.cursor ?? ''}`, {
        [name]: {
          empty: { items: [] as I[] },
          load: async () => {
            const page = await call<Page<T>>(request, service, {
              routeId,
              path: `${upstreamPath}${qs({ limit: query.limit, cursor: query.cursor })}`,
            });
            return { items: page.items.map(compact), ...nextOf(page) };
          },
        },
      });
      return send(request, h, screen);
    },
  });

  return [
    list<Program, unknown>(
      'mobile.programs',
      '/mobile/v1/programs',
      'programs',
      'programs',
      '/programs',
      mobileProgram,
    ),
    list<Resource, unknown>(
      'mobile.resources',
      '/mobile/v1/resources',
      'resources',
      'resources',
      '/resources',
      (item) => mobileResource(item, options.downloadPath),
    ),
    list<Appointment, unknown>(
      'mobile.appointments',
      '/mobile/v1/appointments',
      'appointments',
      'appointments',
      '/appointments',
      mobileAppointment,
    ),
    {
      id: 'mobile.program',
      method: 'GET',
      path: '/mobile/v1/programs/{id}',
      auth: 'required',
      async handler(request, h) {
        const params = IdParams.safeParse(request.params);
        if (!params.success) throw Boom.notFound('No such program.');
        const { id } = params.data;
        const screen = await sections(`${userIdOf(deps, request)}\0${id}`, {
          program: {
            empty: {},
            load: async () => ({
              item: mobileProgramDetail(
                await call<Program>(request, 'programs', {
                  routeId: 'mobile.program',
                  path: `/programs/${id}`,
                }),
              ),
            }),
          },
        });
        return send(request, h, screen);
      },
    },
    {
      id: 'mobile.slots',
      method: 'GET',
      path: '/mobile/v1/appointments/slots',
      auth: 'required',
      async handler(request, h) {
        const query = parseQuery(SlotsQuery, request);
        const screen = await sections(`${userIdOf(deps, request)}\0${query.type}\0${query.date}`, {
          slots: {
            empty: { type: query.type, date: query.date, items: [] as string[] },
            load: async () => {
              const answer = await call<{ slots: string[] }>(request, 'appointments', {
                routeId: 'mobile.slots',
                path: `/slots${qs({ serviceType: query.type, date: query.date })}`,
              });
              return {
                type: query.type,
                date: query.date,
                items: answer.slots.map((slot) => slot.slice(0, 16) + 'Z'),
              };
            },
          },
        });
        return send(request, h, screen);
      },
    },
  ];
}
