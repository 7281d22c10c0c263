// What an API key's plan adds to a request's limits (the api-key plugin puts the plan on
// request.auth.credentials): its own rate limit where no `apiKey` policy applies, and its monthly
// quota, counted per calendar month (UTC). Pure: no server needed to test it.
import { keyRateLimit } from './schema.ts';
import type { PolicyTarget } from './policyTarget.ts';

/** A calendar month (UTC) as the quota counts it: its key, length and end. */
export function quotaMonth(nowMs: number): { id: string; seconds: number; endMs: number } {
  const now = new Date(nowMs);
  const start = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1);
  const endMs = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1);
  const id = `${now.getUTCFullYear()}-${String(now.getUTCMonth() + 1).padStart(2, '0')}`;
  return { id, seconds: (endMs - start) / 1000, endMs };
}

/**
 * `hasKeyPolicy`: the route's plan already has a `by: apiKey` policy (which takes the key's own
 * numbers itself); otherwise the key's own rate limit is a policy of its own, named `apiKey`.
 */
export function keyPlanTargets(
  credentials: Record<string, unknown> | undefined,
  hasKeyPolicy: boolean,
  nowMs: number,
): PolicyTarget[] {
  const keyId = credentials?.['keyId'];
  if (typeof keyId !== 'string' || !keyId) return [];
  const targets: PolicyTarget[] = [];
  const own = keyRateLimit.safeParse(credentials?.['rateLimit']);
  if (!hasKeyPolicy && own.success)
    targets.push({ policy: 'apiKey', key: `apiKey:${keyId}`, points: own.data.points, per: own.data.per });
  const monthly = credentials?.['monthlyQuota'];
  if (typeof monthly === 'number' && Number.isInteger(monthly) && monthly > 0) {
    const month = quotaMonth(nowMs);
    // The month is in the key: a new month is a new counter, whenever the first request of the old one came.
    targets.push({
      policy: 'monthly',
      key: `monthly:${keyId}:${month.id}`,
      points: monthly,
      per: month.seconds,
      resetAtMs: month.endMs,
    });
  }
  return targets;
}
