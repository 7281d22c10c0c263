import { z } from 'zod';

export const apiKeyOptions = z
  .object({
    store: z
      .object({
        type: z
          .enum(['auto', 'memory', 'file', 'redis'])
          .default('auto')
          .describe('auto: redis when the gateway has Redis, else file. memory loses every key on restart'),
        path: z
          .string()
          .min(1)
          .default('.data/api-keys.json')
          .describe('File store: where the hashed keys live (relative to the working directory)'),
        prefix: z.string().min(1).default('portico:api-keys').describe('Redis store: key prefix'),
      })
      .strict()
      .prefault({}),
    acceptOn: z
      .enum(['listed-routes', 'all-routes'])
      .default('listed-routes')
      .describe(
        'listed-routes: keys work only on routes whose plugins name api-key; all-routes: on every route with auth',
      ),
    onStoreError: z
      .enum(['unavailable', 'unauthenticated'])
      .default('unavailable')
      .describe(
        'When the key store fails: unavailable answers 503; unauthenticated treats the key as absent (never as valid)',
      ),
  })
  .strict();

export const apiKeyRouteOptions = z
  .object({
    scopes: z
      .array(z.string().min(1))
      .default([])
      .describe('Every one of these scopes is required of the key'),
  })
  .strict();

/** A key's own rate-limit policy, as the rate-limit plugin reads it: `points` per `duration` seconds. */
export const keyRateLimit = z
  .object({
    points: z.number().int().positive(),
    duration: z
      .union([
        z.number().int().positive(),
        z.string().regex(/^\d+(s|m|h)$/, 'expected seconds, or a duration like "1m"'),
      ])
      .transform((value) => {
        if (typeof value === 'number') return value;
        const amount = Number(value.slice(0, -1));
        return amount * { s: 1, m: 60, h: 3600 }[value.at(-1) as 's' | 'm' | 'h'];
      })
      .refine((seconds) => seconds > 0, 'expected a positive duration'),
  })
  .strict();

/**
 * When a key stops working: an instant (ISO 8601 with an offset), or a date, meaning the key works
 * through that whole day (UTC) and stops at the next midnight.
 */
export const keyExpiry = z
  .union([z.iso.datetime({ offset: true }), z.iso.date()])
  .transform((value) =>
    new Date(
      /^\d{4}-\d{2}-\d{2}$/.test(value) ? Date.parse(`${value}T00:00:00Z`) + 86_400_000 : value,
    ).toISOString(),
  );

/** What an admin sends to create a key: who it is for, and its plan. */
export const createKeyRequest = z
  .object({
    name: z.string().min(1).max(200),
    owner: z.string().min(1).max(200),
    plan: z
      .string()
      .min(1)
      .max(100)
      .optional()
      .describe('A label for the plan ("partner-basic"), shown in records'),
    scopes: z.array(z.string().min(1).max(200)).max(100).default([]),
    rateLimit: keyRateLimit.optional(),
    monthlyQuota: z
      .number()
      .int()
      .positive()
      .optional()
      .describe('Requests per calendar month (UTC), counted by the rate-limit plugin'),
    routes: z
      .array(z.string().min(1).max(200))
      .min(1)
      .max(100)
      .optional()
      .describe('Route names the key may be used on; absent: every route that accepts keys'),
    expiresAt: keyExpiry.optional(),
  })
  .strict();

export type ApiKeyOptions = z.output<typeof apiKeyOptions>;
export type ApiKeyRouteOptions = z.output<typeof apiKeyRouteOptions>;
export type CreateKeyRequest = z.output<typeof createKeyRequest>;
