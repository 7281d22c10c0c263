// GET /mobile/v1/sync?since=<cursor>: what changed for this user (programs, resources, the
// user's appointments; cancelled/declined appointments as tombstones) and a new cursor.
// POST /mobile/v1/sync/actions: offline replay (replay/replayActions.ts).
import type { HandlerRoute } from '../../../contracts/plugin.ts';
import { z } from 'zod';
import Boom from '@hapi/boom';
import {
  ActionBatch,
  RESYNC_REQUIRED,
  type SyncAnswer,
  type Tombstone,
} from '../../../contracts/mobile/index.ts';
import { problem, PROBLEM_CONTENT_TYPE } from '../../../contracts/problem.ts';
import type { Appointment, Program, Resource } from '../compact.ts';
import { mobileAppointment, mobileProgram, mobileResource } from '../compact.ts';
import type { actionReplayer } from '../replay/replayActions.ts';
import { parseQuery, qs, userIdOf, type ScreenDeps } from '../screens/screenDeps.ts';
import { encodeSyncCursor, readSyncCursor, type SyncPosition } from './syncCursor.ts';

interface Changes<T> {
  items: T[];
  cursor: number;
  hasMore: boolean;
}

const SyncQuery = z.object({ since: z.string().max(500).optional(), fields: z.string().max(500).optional() });
const PARTS = ['programs', 'resources', 'appointments'] as const;

export function syncRoutes(deps: ScreenDeps, replay: ReturnType<typeof actionReplayer>): HandlerRoute[] {
  const { call, send, options } = deps;
  return [
    {
      id: 'mobile.sync',
      method: 'GET',
      path: '/mobile/v1/sync',
      auth: 'required',
      async handler(request, h) {
        const { since } = parseQuery(SyncQuery, request);
        const userId = userIdOf(deps, request);
        const now = Date.now();
        let from: SyncPosition = { programs: 0, resources: 0, appointments: 0 };
        if (since) {
          const reading = readSyncCursor(userId, since, now, options.sync.cursorMaxAge);
          if (!reading.ok) {
            const detail =
              reading.why === 'expired'
                ? 'The cursor is too old; drop the local copy and sync again without since.'
                : 'The cursor is not one this server issued for you; drop the local copy and sync again without since.';
            const body = {
              ...problem(410, 'Gone', detail, deps.portico.exchangeContext(request).requestId),
              code: RESYNC_REQUIRED,
            };
            return h.response(body).code(410).type(PROBLEM_CONTENT_TYPE);
          }
          from = reading.position;
        }
        const read = <T>(part: (typeof PARTS)[number]) =>
          call<Changes<T>>(request, part, {
            routeId: 'mobile.sync',
            path: `/${part}/changes${qs({ since: from[part], limit: options.sync.pageSize })}`,
          }).then(
            (value) => value,
            () => undefined,
          );
        const [programs, resources, appointments] = await Promise.all([
          read<Program>('programs'),
          read<Resource>('resources'),
          read<Appointment>('appointments'),
        ]);
        const position: SyncPosition = {
          programs: programs?.cursor ?? from.programs,
          resources: resources?.cursor ?? from.resources,
          appointments: appointments?.cursor ?? from.appointments,
        };
        const deleted: Tombstone[] = [];
        const changed = [];
        for (const item of appointments?.items ?? []) {
          if (item.status === 'cancelled' || item.status === 'declined')
            deleted.push({ id: item.id, why: item.status });
          else changed.push(mobileAppointment(item));
        }
        const answer: SyncAnswer = {
          cursor: encodeSyncCursor(userId, position, now),
          more: Boolean(programs?.hasMore || resources?.hasMore || appointments?.hasMore),
          unavailable: PARTS.filter((_, i) => [programs, resources, appointments][i] === undefined),
          programs: { changed: (programs?.items ?? []).map(mobileProgram) },
          resources: {
            changed: (resources?.items ?? []).map((item) => mobileResource(item, options.downloadPath)),
          },
          appointments: { changed, deleted },
        };
        return send(request, h, answer);
      },
    },
    {
      id: 'mobile.sync.actions',
      method: 'POST',
      path: '/mobile/v1/sync/actions',
      auth: 'required',
      body: { mode: 'buffer', maxBytes: 256 * 1024, parse: true },
      async handler(request) {
        const parsed = ActionBatch.safeParse(request.payload);
        if (!parsed.success) {
          const issue = parsed.error.issues[0]!;
          throw Boom.badRequest(`Invalid actions: ${issue.path.join('.') || '(body)'}: ${issue.message}`);
        }
        if (parsed.data.actions.length > options.replay.maxActions)
          throw Boom.badRequest(`Invalid actions: at most ${options.replay.maxActions} per batch.`);
        return { results: await replay(request, userIdOf(deps, request), parsed.data) };
      },
    },
  ];
}
