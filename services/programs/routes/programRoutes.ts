// GET /programs, /programs/search, /programs/filter, /programs/{id};
// GET /programs/changes (delta sync); POST /programs/{id}/register (bearer), POST /programs/sync (admin)
import Boom from '@hapi/boom';
import type { ServerRoute } from '@hapi/hapi';
import { z } from 'zod';
import {
  BEARER_STRATEGY,
  badRequest,
  decodeCursor,
  encodeCursor,
  log,
  pageLimit,
  requirePrincipal,
  requireRole,
  zodValidator,
} from '../../kit/index.ts';
import type { Database } from '../../kit/index.ts';
import type { ProgramsConfig } from '../config.ts';
import { findProgram, listProgramChanges, listPrograms, register, searchPrograms } from '../programStore.ts';
import type { ProgramFilter, ProgramPage } from '../programStore.ts';
import { syncPrograms } from '../sync/syncPrograms.ts';

const cursor = z.string().max(300).optional();
const instant = z.iso.datetime({ offset: true }).or(z.iso.date());
const ListQuery = z.object({ limit: pageLimit, cursor });
const SearchQuery = z.object({
  q: z.string().trim().min(1, 'a search term is required').max(200),
  limit: pageLimit,
});
const FilterQuery = z
  .object({
    category: z.string().trim().min(1).max(100).optional(),
    from: instant.optional(),
    to: instant.optional(),
    limit: pageLimit,
    cursor,
  })
  .refine((query) => !query.from || !query.to || Date.parse(query.from) <= Date.parse(query.to), {
    message: 'from must not be after to',
    path: ['from'],
  });
const IdParams = z.object({ id: z.uuid() });
const ChangesQuery = z.object({
  since: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

const catalogRead = { strategy: BEARER_STRATEGY, mode: 'optional' as const };

function pageBody(page: ProgramPage) {
  return { items: page.items, nextCursor: page.next ? encodeCursor(page.next) : null };
}

function afterOf(value: string | undefined): [string, string] | undefined {
  if (!value) return undefined;
  const key = decodeCursor(value);
  if (key.length !== 2 || !key.every((part) => typeof part === 'string')) throw badRequest('Invalid cursor.');
  return key as [string, string];
}

export function programRoutes(db: Database, config: ProgramsConfig): ServerRoute[] {
  return [
    {
      method: 'GET',
      path: '/programs/changes',
      options: { auth: catalogRead, validate: { query: zodValidator(ChangesQuery, 'query') } },
      async handler(request) {
        const { since, limit } = request.query as z.output<typeof ChangesQuery>;
        const rows = await listProgramChanges(db, since, limit + 1);
        const items = rows.slice(0, limit);
        return {
          items: items.map(({ seq: _, ...item }) => item),
          cursor: items.length ? items[items.length - 1]!.seq : since,
          hasMore: rows.length > limit,
        };
      },
    },
    {
      method: 'GET',
      path: '/programs',
      options: { auth: catalogRead, validate: { query: zodValidator(ListQuery, 'query') } },
      async handler(request) {
        const query = request.query as z.output<typeof ListQuery>;
        return pageBody(await listPrograms(db, { limit: query.limit, after: afterOf(query.cursor) }));
      },
    },
    {
      method: 'GET',
      path: '/programs/search',
      options: { auth: catalogRead, validate: { query: zodValidator(SearchQuery, 'query') } },
      async handler(request) {
        const { q, limit } = request.query as z.output<typeof SearchQuery>;
        // Ranked by relevance, so there is no stable key to page on: one page of the best matches.
        return { items: await searchPrograms(db, q, limit), nextCursor: null };
      },
    },
    {
      method: 'GET',
      path: '/programs/filter',
      options: { auth: catalogRead, validate: { query: zodValidator(FilterQuery, 'query') } },
      async handler(request) {
        const query = request.query as z.output<typeof FilterQuery>;
        const filter: ProgramFilter = { category: query.category, from: query.from, to: query.to };
        return pageBody(await listPrograms(db, { limit: query.limit, after: afterOf(query.cursor), filter }));
      },
    },
    {
      method: 'GET',
      path: '/programs/{id}',
      options: { auth: catalogRead, validate: { params: zodValidator(IdParams, 'path') } },
      async handler(request) {
        const program = await findProgram(db, (request.params as z.output<typeof IdParams>).id);
        if (!program) throw Boom.notFound('No such program.');
        return program;
      },
    },
    {
      method: 'POST',
      path: '/programs/{id}/register',
      options: { auth: BEARER_STRATEGY, validate: { params: zodValidator(IdParams, 'path') } },
      async handler(request, h) {
        const user = requirePrincipal(request);
        const { id } = request.params as z.output<typeof IdParams>;
        if (!(await findProgram(db, id))) throw Boom.notFound('No such program.');
        const { created, registeredAt } = await register(db, id, user.sub);
        if (created) log(request).info({ programId: id }, 'registered for program');
        return h.response({ programId: id, userId: user.sub, registeredAt }).code(created ? 201 : 200);
      },
    },
    {
      method: 'POST',
      path: '/programs/sync',
      options: { auth: BEARER_STRATEGY },
      async handler(request) {
        requireRole(request, 'admin');
        return syncPrograms(db, config, log(request), 'admin');
      },
    },
  ];
}
