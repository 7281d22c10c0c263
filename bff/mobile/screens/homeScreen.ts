// GET /mobile/v1/home: the next appointments, this week's programs, resources new since the last
// visit and the unread notices: four services, one request, in parallel.
import type { HandlerRoute } from '../../../contracts/plugin.ts';
import { z } from 'zod';
import type { Appointment, Notice, Page, Program, Resource } from '../compact.ts';
import { mobileAppointment, mobileNotice, mobileProgram, mobileResource } from '../compact.ts';
import { parseQuery, qs, userIdOf, type ScreenDeps } from './screenDeps.ts';

const HomeQuery = z.object({
  /** The app's last visit; resources published since then are "new". Default: the last 7 days. */
  since: z.iso.datetime({ offset: true }).optional(),
  fields: z.string().max(500).optional(),
});

const WEEK_MS = 7 * 24 * 3_600_000;

/** Monday 00:00 UTC of the week holding `now`, and the week's last millisecond. */
export function weekOf(now: Date): { from: string; to: string } {
  const day = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  const monday = day.getTime() - ((day.getUTCDay() + 6) % 7) * 24 * 3_600_000;
  return { from: new Date(monday).toISOString(), to: new Date(monday + WEEK_MS - 1).toISOString() };
}

export function homeScreen(deps: ScreenDeps): HandlerRoute {
  const { call, sections, send, options } = deps;
  const routeId = 'mobile.home';
  return {
    id: routeId,
    method: 'GET',
    path: '/mobile/v1/home',
    auth: 'required',
    async handler(request, h) {
      const query = parseQuery(HomeQuery, request);
      const userId = userIdOf(deps, request);
      const now = new Date();
      // To the minute, so repeated visits within a minute ask the same thing (and get one ETag).
      const nowMinute = new Date(Math.floor(now.getTime() / 60_000) * 60_000).toISOString();
      const since = query.since ?? new Date(Date.parse(nowMinute) - WEEK_MS).toISOString();
      const week = weekOf(now);
      const screen = await sections(userId, {
        appointments: {
          empty: { items: [] },
          load: async () => {
            const page = await call<Page<Appointment>>(request, 'appointments', {
              routeId,
              path: `/appointments${qs({ from: nowMinute, live: true, limit: 3 })}`,
            });
            return { items: page.items.map(mobileAppointment) };
          },
        },
        programs: {
          empty: { items: [] },
          load: async () => {
            const page = await call<Page<Program>>(request, 'programs', {
              routeId,
              path: `/programs/filter${qs({ from: week.from, to: week.to, limit: 10 })}`,
            });
            return { items: page.items.map(mobileProgram) };
          },
        },
        resources: {
          empty: { items: [] },
          load: async () => {
            const page = await call<Page<Resource>>(request, 'resources', {
              routeId,
              path: `/resources${qs({ limit: 10 })}`,
            });
            const fresh = page.items.filter((item) => Date.parse(item.createdAt) > Date.parse(since));
            return { items: fresh.map((item) => mobileResource(item, options.downloadPath)) };
          },
        },
        notices: {
          empty: { unread: 0, items: [] },
          load: async () => {
            const page = await call<Page<Notice> & { unreadCount: number }>(request, 'appointments', {
              routeId,
              path: `/notices${qs({ unread: true, limit: 5 })}`,
            });
            return { unread: page.unreadCount, items: page.items.map(mobileNotice) };
          },
        },
      });
      // Always 200: with every section unavailable the app still shows its own copy.
      return send(request, h, screen);
    },
  };
}
