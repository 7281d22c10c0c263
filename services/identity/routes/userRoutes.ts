// GET /auth/me, GET /auth/users (a directory of names), PUT /auth/users/{id}/roles (admin),
// POST /auth/keys/rotate (admin)
import Boom from '@hapi/boom';
import type { ServerRoute } from '@hapi/hapi';
import { z } from 'zod';
import { BEARER_STRATEGY, ROLES, log, requirePrincipal, requireRole, zodValidator } from '../../kit/index.ts';
import type { IdentityContext } from '../identityContext.ts';
import { findUserById, findUsersByIds, findUsersByRole, setUserRoles } from '../users/userStore.ts';

const RolesBody = z.object({
  roles: z
    .array(z.enum(ROLES))
    .min(1)
    .transform((roles) => [...new Set(roles)]),
});
const UserParams = z.object({ id: z.uuid() });
const DirectoryQuery = z
  .object({
    ids: z
      .string()
      .max(100 * 37)
      .transform((value) => [...new Set(value.split(',').filter(Boolean))])
      .pipe(z.array(z.uuid()).min(1).max(100))
      .optional(),
    role: z.enum(ROLES).optional(),
  })
  .refine(
    (query) => (query.ids === undefined) !== (query.role === undefined),
    'give exactly one of ids or role',
  );

export function userRoutes(ctx: IdentityContext): ServerRoute[] {
  return [
    {
      method: 'GET',
      path: '/auth/me',
      options: { auth: BEARER_STRATEGY },
      async handler(request) {
        const user = await findUserById(ctx.db, requirePrincipal(request).sub);
        if (!user) throw Boom.notFound('The user of this token no longer exists.');
        return user;
      },
    },
    {
      method: 'GET',
      path: '/auth/users',
      options: { auth: BEARER_STRATEGY, validate: { query: zodValidator(DirectoryQuery, 'query') } },
      async handler(request) {
        const { ids, role } = request.query as z.output<typeof DirectoryQuery>;
        // Names by id for anyone signed in (a student sees who they meet); listing a role is staff work.
        if (role) requireRole(request, 'staff', 'admin');
        else requirePrincipal(request);
        const users = ids ? await findUsersByIds(ctx.db, ids) : await findUsersByRole(ctx.db, role!, 100);
        return { items: users.map(({ id, name, roles }) => ({ id, name, roles })) };
      },
    },
    {
      method: 'PUT',
      path: '/auth/users/{id}/roles',
      options: {
        auth: BEARER_STRATEGY,
        validate: { params: zodValidator(UserParams, 'path'), payload: zodValidator(RolesBody, 'roles') },
      },
      async handler(request) {
        const admin = requireRole(request, 'admin');
        const { id } = request.params as z.output<typeof UserParams>;
        const { roles } = request.payload as z.output<typeof RolesBody>;
        const user = await setUserRoles(ctx.db, id, roles);
        if (!user) throw Boom.notFound('No such user.');
        log(request).info({ userId: id, roles, by: admin.sub }, 'roles changed');
        return user;
      },
    },
    {
      method: 'POST',
      path: '/auth/keys/rotate',
      options: { auth: BEARER_STRATEGY },
      async handler(request) {
        const admin = requireRole(request, 'admin');
        const kid = await ctx.keys.rotate();
        log(request).info({ kid, by: admin.sub }, 'signing key rotated');
        return { kid };
      },
    },
  ];
}
