// Resolvers for contracts/graphql/identity.graphql.
import { GraphQLError } from 'graphql';
import { hasRole } from '../../kit/index.ts';
import type { GraphQLContext, Principal, Resolvers } from '../../kit/index.ts';
import type { IdentityContext } from '../identityContext.ts';
import { findUserById, findUsersByIds } from '../users/userStore.ts';
import type { User } from '../users/userStore.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function mayRead(principal: Principal | undefined, user: User): boolean {
  return principal?.sub === user.id || hasRole(principal, 'staff', 'admin');
}

function signedIn(context: GraphQLContext): Principal {
  if (!context.principal)
    throw new GraphQLError('A bearer token is required.', { extensions: { code: 'UNAUTHENTICATED' } });
  return context.principal;
}

export function identityResolvers(ctx: IdentityContext): Resolvers {
  return {
    Query: {
      me: (_: unknown, __: unknown, context: GraphQLContext) => findUserById(ctx.db, signedIn(context).sub),
      async user(_: unknown, args: { id: string }, context: GraphQLContext) {
        const principal = signedIn(context);
        if (!UUID.test(args.id)) return null;
        const user = await findUserById(ctx.db, args.id);
        return user && mayRead(principal, user) ? user : null;
      },
      async usersByIds(_: unknown, args: { ids: string[] }, context: GraphQLContext) {
        const principal = signedIn(context);
        const users = await findUsersByIds(
          ctx.db,
          args.ids.filter((id) => UUID.test(id)),
        );
        const byId = new Map(users.filter((user) => mayRead(principal, user)).map((user) => [user.id, user]));
        return args.ids.map((id) => byId.get(id) ?? null);
      },
    },
  };
}
