// Resolvers for contracts/graphql/resources.graphql; like REST, any signed-in user may read.
import { GraphQLError } from 'graphql';
import { decodeCursor, keysetPage } from '../../kit/index.ts';
import type { Database, GraphQLContext, Resolvers } from '../../kit/index.ts';
import { findResource, findResourcesByIds, listResources } from '../resourceStore.ts';
import type { Resource } from '../resourceStore.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function signedIn(context: GraphQLContext): void {
  if (!context.principal)
    throw new GraphQLError('A bearer token is required.', { extensions: { code: 'UNAUTHENTICATED' } });
}

export function resourceResolvers(db: Database): Resolvers {
  return {
    Resource: { downloadPath: (resource: Resource) => `/resources/${resource.id}/download` },
    Query: {
      async resources(_: unknown, args: { limit: number; cursor?: string | null }, context: GraphQLContext) {
        signedIn(context);
        const limit = Math.min(Math.max(args.limit, 1), 100);
        let after: [string, string] | undefined;
        try {
          after = args.cursor ? (decodeCursor(args.cursor) as [string, string]) : undefined;
        } catch {
          throw new GraphQLError('Invalid cursor.', { extensions: { code: 'BAD_USER_INPUT' } });
        }
        const rows = await listResources(db, limit + 1, after);
        return keysetPage(rows, limit, (row) => [row.createdAt, row.id]);
      },
      async resource(_: unknown, args: { id: string }, context: GraphQLContext) {
        signedIn(context);
        return UUID.test(args.id) ? ((await findResource(db, args.id)) ?? null) : null;
      },
      async resourcesByIds(_: unknown, args: { ids: string[] }, context: GraphQLContext) {
        signedIn(context);
        const found = await findResourcesByIds(
          db,
          args.ids.filter((id) => UUID.test(id)),
        );
        const byId = new Map(found.map((resource) => [resource.id, resource]));
        return args.ids.map((id) => byId.get(id) ?? null);
      },
    },
  };
}
