// Resolvers for contracts/graphql/programs.graphql (the catalog is public).
import { GraphQLError } from 'graphql';
import { decodeCursor, encodeCursor } from '../../kit/index.ts';
import type { Database, Resolvers } from '../../kit/index.ts';
import { findProgram, findProgramsByIds, listPrograms, searchPrograms } from '../programStore.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const clamp = (limit: number) => Math.min(Math.max(limit, 1), 100);

function badInput(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT' } });
}

export function programResolvers(db: Database): Resolvers {
  return {
    Query: {
      async programs(
        _: unknown,
        args: {
          limit: number;
          cursor?: string | null;
          category?: string | null;
          from?: string | null;
          to?: string | null;
        },
      ) {
        let after: [string, string] | undefined;
        try {
          after = args.cursor ? (decodeCursor(args.cursor) as [string, string]) : undefined;
        } catch {
          throw badInput('Invalid cursor.');
        }
        for (const date of [args.from, args.to]) {
          if (date && Number.isNaN(Date.parse(date))) throw badInput(`Not a date: ${date}`);
        }
        const page = await listPrograms(db, {
          limit: clamp(args.limit),
          after,
          filter: {
            category: args.category ?? undefined,
            from: args.from ?? undefined,
            to: args.to ?? undefined,
          },
        });
        return { items: page.items, nextCursor: page.next ? encodeCursor(page.next) : null };
      },
      program: async (_: unknown, args: { id: string }) =>
        UUID.test(args.id) ? ((await findProgram(db, args.id)) ?? null) : null,
      searchPrograms: (_: unknown, args: { q: string; limit: number }) =>
        searchPrograms(db, args.q, clamp(args.limit)),
      async programsByIds(_: unknown, args: { ids: string[] }) {
        const found = await findProgramsByIds(
          db,
          args.ids.filter((id) => UUID.test(id)),
        );
        const byId = new Map(found.map((program) => [program.id, program]));
        return args.ids.map((id) => byId.get(id) ?? null);
      },
    },
  };
}
