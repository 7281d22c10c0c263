import { z } from 'zod';

const UNITS_S: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/**
 * A window in whole seconds: a number of seconds, or "30s", "1m", "1h", "1d". The Redis store keeps
 * counters with a TTL in seconds, so a sub-second window would silently become 0: refuse it here.
 */
export const windowSeconds = () =>
  z
    .union([
      z.number().int().positive(),
      z.string().regex(/^\d+(s|m|h|d)$/, 'expected a window like "1m", "30s" or "1h"'),
    ])
    .transform((value, ctx): number => {
      if (typeof value === 'number') return value;
      const [, amount, unit] = /^(\d+)(s|m|h|d)$/.exec(value)!;
      const seconds = Number(amount) * UNITS_S[unit!]!;
      if (seconds < 1) {
        ctx.addIssue({ code: 'custom', message: 'expected a window of at least 1s' });
        return z.NEVER;
      }
      return seconds;
    });

export const POLICY_KINDS = ['ip', 'user', 'apiKey', 'route', 'header'] as const;
export type PolicyKind = (typeof POLICY_KINDS)[number];

const policyInput = z
  .object({
    name: z
      .string()
      .regex(/^[a-z][a-z0-9_-]*$/, 'expected a lower-case name like "per-ip"')
      .optional()
      .describe('Shown in the RateLimit fields and metrics; defaults to `by` (or `header-<name>`)'),
    by: z
      .enum(POLICY_KINDS)
      .describe(
        'What one counter is kept for: the client IP, the user (sub), the API key, the route, or a header',
      ),
    header: z
      .string()
      .toLowerCase()
      .regex(/^[a-z0-9!#$%&'*+.^_`|~-]+$/, 'expected a header name')
      .optional()
      .describe('With by: header, the header whose value is the key; requests without it are not counted'),
    points: z.number().int().positive().describe('Requests allowed per window'),
    per: windowSeconds().describe('The window'),
  })
  .strict()
  .superRefine((policy, ctx) => {
    if (policy.by === 'header' && !policy.header)
      ctx.addIssue({ code: 'custom', path: ['header'], message: 'required when by is "header"' });
    if (policy.by !== 'header' && policy.header)
      ctx.addIssue({ code: 'custom', path: ['header'], message: 'only allowed when by is "header"' });
  })
  .transform((policy) => ({
    name: policy.name ?? (policy.by === 'header' ? `header-${policy.header}` : policy.by),
    by: policy.by,
    header: policy.header,
    points: policy.points,
    per: policy.per,
  }));

function uniqueNames(policies: Array<{ name: string }>, ctx: z.RefinementCtx): void {
  const seen = new Map<string, number>();
  for (const [index, policy] of policies.entries()) {
    const earlier = seen.get(policy.name);
    if (earlier !== undefined)
      ctx.addIssue({
        code: 'custom',
        path: [index, 'name'],
        message: `policy name "${policy.name}" is already used by policies[${earlier}]; give one of them a name`,
      });
    else seen.set(policy.name, index);
  }
}

const policyList = z.array(policyInput).superRefine(uniqueNames);

export const rateLimitOptions = z
  .object({
    policies: policyList
      .prefault([
        { name: 'user', by: 'user', points: 100, per: '1m' },
        { name: 'ip', by: 'ip', points: 1000, per: '1m' },
      ])
      .describe('Limits applied to every route; several at once: a request must fit all of them'),
    store: z
      .enum(['auto', 'memory', 'redis'])
      .default('auto')
      .describe('auto: Redis when the gateway has one (shared by every instance), else memory'),
    onStoreFailure: z
      .enum(['insurance', 'allow', 'deny'])
      .default('insurance')
      .describe(
        'When Redis fails: insurance = a per-instance in-memory limiter takes over; allow = admit (no limit); deny = 503',
      ),
    insuranceDivisor: z
      .number()
      .int()
      .positive()
      .default(1)
      .describe(
        'While Redis is down each instance allows points / insuranceDivisor; set it to the instance count',
      ),
    storeTimeout: z
      .union([z.number().int().positive(), z.string().regex(/^\d+ms$/, 'expected milliseconds like "250ms"')])
      .transform((value) => (typeof value === 'number' ? value : Number.parseInt(value, 10)))
      .default(250)
      .describe(
        'A Redis call slower than this counts as a store failure (a hung Redis must not hang requests)',
      ),
    keyPrefix: z.string().min(1).default('portico:rl').describe('Prefix of every counter key in Redis'),
    headers: z
      .boolean()
      .default(true)
      .describe('Send RateLimit-Policy and RateLimit on every response of a limited route'),
  })
  .strict();

export const rateLimitRouteOptions = z
  .object({
    policies: policyList.default([]).describe("This route's own limits, counted for this route only"),
    inherit: z
      .boolean()
      .default(true)
      .describe("Also apply the global policies (false: only this route's own)"),
  })
  .strict();

/** The shape the api-key plugin puts on `request.auth.credentials.rateLimit` for a key with its own quota. */
export const keyRateLimit = z.union([
  z.object({ points: z.number().int().positive(), per: windowSeconds() }),
  z
    .object({ points: z.number().int().positive(), duration: z.number().int().positive() })
    .transform(({ points, duration }) => ({
      points,
      per: duration,
    })),
]);

export type RateLimitOptions = z.output<typeof rateLimitOptions>;
export type RateLimitRouteOptions = z.output<typeof rateLimitRouteOptions>;
export type RateLimitPolicy = z.output<typeof policyInput>;
