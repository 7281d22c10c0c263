import { z } from 'zod';

const UNITS_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000 };

/** A duration in ms: a number of ms, or "250ms", "2s", "1m". */
const duration = () =>
  z
    .union([
      z.number().nonnegative(),
      z.string().regex(/^\d+(ms|s|m)$/, 'expected a duration like "500ms" or "2s"'),
    ])
    .transform((value) => {
      if (typeof value === 'number') return value;
      const [, amount, unit] = /^(\d+)(ms|s|m)$/.exec(value)!;
      return Number(amount) * UNITS_MS[unit!]!;
    });

const eventLoop = z
  .object({
    maxLag: duration().prefault('500ms').describe('p99 event-loop delay past which normal requests are shed'),
    criticalMaxLag: duration()
      .prefault('2s')
      .describe('p99 event-loop delay past which critical requests are shed too'),
    interval: duration()
      .prefault('1s')
      .describe('How often the delay is measured; a decision holds for one interval'),
  })
  .strict()
  .refine((value) => value.criticalMaxLag >= value.maxLag, {
    message: 'criticalMaxLag must be at least maxLag (critical requests are shed last)',
    path: ['criticalMaxLag'],
  })
  .refine((value) => value.interval >= 50, {
    message: 'expected an interval of at least 50ms',
    path: ['interval'],
  });

export const adaptiveConcurrencyOptions = z
  .object({
    algorithm: z
      .enum(['gradient2', 'vegas'])
      .default('gradient2')
      .describe('How the per-upstream limit adapts to latency'),
    initialLimit: z
      .number()
      .int()
      .positive()
      .default(20)
      .describe('Limit of each upstream before any sample'),
    minLimit: z.number().int().positive().default(5).describe('The limit never goes below this'),
    maxLimit: z.number().int().positive().default(500).describe('The limit never goes above this'),
    smoothing: z
      .number()
      .gt(0)
      .max(1)
      .default(0.2)
      .describe('How much of each new estimate is taken (gradient2; vegas uses 1)'),
    tolerance: z
      .number()
      .min(1)
      .default(1.5)
      .describe('gradient2: how far latency may rise over its baseline before the limit shrinks'),
    longWindow: z
      .number()
      .int()
      .positive()
      .default(600)
      .describe("gradient2: samples in the baseline latency's moving average"),
    queueSize: z
      .number()
      .int()
      .nonnegative()
      .default(4)
      .describe('gradient2: growth per sample while latency is at its baseline'),
    probeMultiplier: z
      .number()
      .int()
      .positive()
      .default(30)
      .describe('vegas: re-probe the minimum latency every ~N × limit samples'),
    criticalHeadroom: z
      .number()
      .min(0)
      .max(1)
      .default(0.25)
      .describe('Critical requests may use this share of the limit on top of it (at least one slot)'),
    retryAfter: z
      .number()
      .int()
      .positive()
      .default(1)
      .describe('Seconds, in the Retry-After of a shed request'),
    criticalPaths: z
      .array(z.string().startsWith('/'))
      .default(['/healthz', '/readyz', '/livez', '/*/healthz', '/api/v1/auth/refresh'])
      .describe('Request paths shed last ("*" matches any characters): health checks and token refresh'),
    eventLoop: z
      .union([z.literal(false), eventLoop])
      .prefault({})
      .describe('Process-level shedding on event-loop lag; false turns it off'),
  })
  .strict()
  .refine((value) => value.minLimit <= value.maxLimit, {
    message: 'minLimit must not exceed maxLimit',
    path: ['minLimit'],
  });

export const adaptiveConcurrencyRouteOptions = z
  .object({
    critical: z
      .boolean()
      .default(false)
      .describe('Shed this route last (headroom above the limit, higher lag threshold)'),
  })
  .strict();

export type AdaptiveConcurrencyOptions = z.output<typeof adaptiveConcurrencyOptions>;
export type AdaptiveConcurrencyRouteOptions = z.output<typeof adaptiveConcurrencyRouteOptions>;
