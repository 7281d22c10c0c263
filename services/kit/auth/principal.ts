// Who is calling, as the access token says; and the role checks handlers use.
import Boom from '@hapi/boom';
import type { Request } from '@hapi/hapi';

export const ROLES = ['student', 'staff', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface Principal {
  sub: string;
  roles: Role[];
  email?: string;
}

/** The caller, or undefined on a route with optional auth and no token. */
export function principalOf(request: Request): Principal | undefined {
  if (!request.auth.isAuthenticated) return undefined;
  return (request.auth.credentials as { principal?: Principal }).principal;
}

/** The caller; 401 when there is none. */
export function requirePrincipal(request: Request): Principal {
  const principal = principalOf(request);
  if (!principal) throw Boom.unauthorized('A bearer token is required.', 'Bearer');
  return principal;
}

export function hasRole(principal: Principal | undefined, ...roles: Role[]): boolean {
  return principal !== undefined && principal.roles.some((role) => roles.includes(role));
}

/** The caller when they hold one of `roles`; 401 without a token, 403 without the role. */
export function requireRole(request: Request, ...roles: Role[]): Principal {
  const principal = requirePrincipal(request);
  if (!hasRole(principal, ...roles)) {
    throw Boom.forbidden(`This needs one of the roles: ${roles.join(', ')}.`);
  }
  return principal;
}
