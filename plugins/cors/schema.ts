import { z } from 'zod';
import { duration } from '../../contracts/units.ts';

const corsFields = {
  origins: z
    .array(
      z
        .string()
        .regex(
          /^(\*|https?:\/\/[^/]+)$/,
          'expected "*" or an origin like https://app.example.edu (a "*." label allowed)',
        ),
    )
    .default([])
    .describe('Allowed origins; empty allows none (the safe default)'),
  methods: z.array(z.string().toUpperCase()).default(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']),
  allowHeaders: z
    .array(z.string().toLowerCase())
    .default([
      'authorization',
      'content-type',
      'idempotency-key',
      'if-none-match',
      'x-api-key',
      'x-request-id',
    ]),
  exposeHeaders: z
    .array(z.string().toLowerCase())
    .default(['etag', 'retry-after', 'ratelimit', 'ratelimit-policy', 'x-request-id']),
  credentials: z.boolean().default(false).describe('Allow cookies; never combined with "*"'),
  maxAge: duration().prefault('10m').describe('How long browsers may cache a preflight'),
};

export const corsOptions = z
  .object(corsFields)
  .strict()
  .refine((options) => !(options.credentials && options.origins.includes('*')), {
    message: 'credentials: true cannot be combined with origins: ["*"]',
    path: ['credentials'],
  });

export const corsRouteOptions = z
  .object({
    origins: corsFields.origins.optional(),
    methods: corsFields.methods.optional(),
    credentials: corsFields.credentials.optional(),
  })
  .strict();

export type CorsOptions = z.output<typeof corsOptions>;
export type CorsRouteOptions = z.output<typeof corsRouteOptions>;
