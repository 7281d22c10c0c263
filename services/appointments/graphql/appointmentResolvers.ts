// Resolvers for contracts/graphql/appointments.graphql; the same visibility rules as REST.
import { GraphQLError } from 'graphql';
import { decodeCursor, keysetPage } from '../../kit/index.ts';
import type { Database, GraphQLContext, Principal, Resolvers } from '../../kit/index.ts';
import { findByIds, findVisible, listVisible } from '../appointmentStore.ts';
import type { Appointment } from '../appointmentStore.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function signedIn(context: GraphQLContext): Principal {
  if (!context.principal)
    throw new GraphQLError('A bearer token is required.', { extensions: { code: 'UNAUTHENTICATED' } });
  return context.principal;
}

export function appointmentResolvers(db: Database): Resolvers {
  return {
    // Keys only: the gateway stitches the rest from programs and identity.
    Appointment: {
      program: (appointment: Appointment) => (appointment.programId ? { id: appointment.programId } : null),
      student: (appointment: Appointment) => ({ id: appointment.studentId }),
      staff: (appointment: Appointment) => (appointment.staffId ? { id: appointment.staffId } : null),
    },
    Query: {
      async appointments(
        _: unknown,
        args: { limit: number; cursor?: string | null },
        context: GraphQLContext,
      ) {
        const limit = Math.min(Math.max(args.limit, 1), 100);
        let after: [string, string] | undefined;
        try {
          after = args.cursor ? (decodeCursor(args.cursor) as [string, string]) : undefined;
        } catch {
          throw new GraphQLError('Invalid cursor.', { extensions: { code: 'BAD_USER_INPUT' } });
        }
        const rows = await listVisible(db, signedIn(context), { limit: limit + 1, after });
        return keysetPage(rows, limit, (row) => [row.startsAt, row.id]);
      },
      async appointment(_: unknown, args: { id: string }, context: GraphQLContext) {
        const principal = signedIn(context);
        return UUID.test(args.id) ? ((await findVisible(db, principal, args.id)) ?? null) : null;
      },
      async appointmentsByIds(_: unknown, args: { ids: string[] }, context: GraphQLContext) {
        const found = await findByIds(
          db,
          signedIn(context),
          args.ids.filter((id) => UUID.test(id)),
        );
        const byId = new Map(found.map((appointment) => [appointment.id, appointment]));
        return args.ids.map((id) => byId.get(id) ?? null);
      },
    },
  };
}
