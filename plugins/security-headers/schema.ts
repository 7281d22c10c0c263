import { z } from 'zod';

const hsts = z
  .object({
    maxAge: z.number().int().min(0).default(31_536_000).describe('Seconds; one year by default'),
    includeSubDomains: z.boolean().default(true),
    preload: z.boolean().default(false),
  })
  .strict();

const headerFields = {
  contentTypeOptions: z.boolean().default(true).describe('X-Content-Type-Options: nosniff'),
  frameOptions: z.union([z.enum(['DENY', 'SAMEORIGIN']), z.literal(false)]).default('DENY'),
  referrerPolicy: z.union([z.string(), z.literal(false)]).default('no-referrer'),
  hsts: z
    .union([hsts, z.literal(false)])
    .prefault({})
    .describe('Strict-Transport-Security'),
  contentSecurityPolicy: z
    .union([z.string(), z.literal(false)])
    .default("default-src 'none'; frame-ancestors 'none'")
    .describe('Applied only when the upstream set none: an API answer should never run as a page'),
  crossOriginResourcePolicy: z
    .union([z.enum(['same-origin', 'same-site', 'cross-origin']), z.literal(false)])
    .default('same-site'),
};

export const securityHeadersOptions = z
  .object({
    ...headerFields,
    removeHeaders: z
      .array(z.string().toLowerCase())
      .default(['x-powered-by', 'server'])
      .describe('Response headers that reveal the stack behind the edge'),
  })
  .strict();

export const securityHeadersRouteOptions = z
  .object({
    frameOptions: headerFields.frameOptions.optional(),
    contentSecurityPolicy: headerFields.contentSecurityPolicy.optional(),
    crossOriginResourcePolicy: headerFields.crossOriginResourcePolicy.optional(),
  })
  .strict();

export type SecurityHeadersOptions = z.output<typeof securityHeadersOptions>;
export type SecurityHeadersRouteOptions = z.output<typeof securityHeadersRouteOptions>;
