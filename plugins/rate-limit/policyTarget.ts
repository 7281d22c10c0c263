// Which counter a request is charged to under one policy, or none when the policy does not apply
// to it (no user on an anonymous request, no such header). Pure: no server needed to test it.
import { createHash } from 'node:crypto';
import { keyRateLimit, type RateLimitPolicy } from './schema.ts';

export interface RequestFacts {
  /** Trusted-proxy aware client address (request.plugins.portico.clientIp). */
  clientIp: string;
  routeId: string;
  header(name: string): string | undefined;
  /** request.auth.credentials, when the request is authenticated. */
  credentials: Record<string, unknown> | undefined;
}

export interface PolicyTarget {
  policy: string;
  key: string;
  points: number;
  per: number;
  /** Epoch ms the budget resets at, when that is fixed (a calendar month) rather than the counter's window. */
  resetAtMs?: number;
}

/** Policies that can be decided before auth (they need no credentials). */
export const BEFORE_AUTH = new Set(['ip', 'route', 'header']);

/**
 * `scope` is empty for the global policies (one budget across routes) and the route id for a
 * route's own policies (a budget of that route only).
 */
export function policyTarget(
  policy: RateLimitPolicy,
  facts: RequestFacts,
  scope = '',
): PolicyTarget | undefined {
  const base = { policy: policy.name, points: policy.points, per: policy.per };
  const prefix = scope ? `route:${scope}:${policy.name}` : policy.name;
  switch (policy.by) {
    case 'ip':
      return { ...base, key: `${prefix}:${facts.clientIp}` };
    case 'route':
      return { ...base, key: `${prefix}:${facts.routeId}` };
    case 'header': {
      const value = facts.header(policy.header!);
      // Hashed: the header may carry a secret, and Redis keys are visible to whoever reads Redis.
      return value === undefined ? undefined : { ...base, key: `${prefix}:${digest(value)}` };
    }
    case 'user': {
      const sub = facts.credentials?.['sub'];
      return typeof sub === 'string' && sub ? { ...base, key: `${prefix}:${sub}` } : undefined;
    }
    case 'apiKey': {
      const keyId = facts.credentials?.['keyId'];
      if (typeof keyId !== 'string' || !keyId) return undefined;
      // A key with a quota of its own (set by the api-key plugin) overrides the policy's numbers.
      const own = keyRateLimit.safeParse(facts.credentials?.['rateLimit']);
      return {
        ...base,
        ...(own.success ? { points: own.data.points, per: own.data.per } : {}),
        key: `${prefix}:${keyId}`,
      };
    }
  }
}

function digest(value: string): string {
  return createHash('sha256').update(value).digest('base64url').slice(0, 22);
}
