// A route's requirements on a verified caller: every listed scope, and any one of the listed roles.
// Returns what is missing, in words a client can act on, or undefined when nothing is.

export interface RouteRequirements {
  scopes: string[];
  roles: string[];
}

export function missingRequirements(
  caller: { scopes: string[]; roles: string[] },
  required: RouteRequirements,
): string | undefined {
  const problems: string[] = [];
  const missingScopes = required.scopes.filter((scope) => !caller.scopes.includes(scope));
  if (missingScopes.length > 0)
    problems.push(`missing scope${missingScopes.length > 1 ? 's' : ''}: ${missingScopes.join(', ')}`);
  if (required.roles.length > 0 && !required.roles.some((role) => caller.roles.includes(role))) {
    problems.push(`requires one of the roles: ${required.roles.join(', ')}`);
  }
  return problems.length > 0 ? problems.join('; ') : undefined;
}
