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

/** What an admin sends to create a key. */
export const createKeyRequest = z
  .object({
    name: z.string().min(1).max(200),
    owner: z.string().min(1).max(200),
    scopes: z.array(z.string().min(1).max(200)).max(100).default([]),
    rateLimit: keyRateLimit.optional(),
  })
  .strict();

export type ApiKeyOptions = z.output<typeof apiKeyOptions>;
export type ApiKeyRouteOptions = z.output<typeof apiKeyRouteOptions>;
export type CreateKeyRequest = z.output<typeof createKeyRequest>;
