import { z } from 'zod';

export const accessLogOptions = z
  .object({
    level: z.enum(['trace', 'debug', 'info', 'warn']).default('info'),
    skipPaths: z
      .array(z.string().startsWith('/'))
      .default([])
      .describe('Exact paths not logged (e.g. a load balancer probe)'),
    includeQuery: z
      .boolean()
      .default(false)
      .describe('Log the query string too; off by default because queries can carry personal data'),
  })
  .strict();

export const accessLogRouteOptions = z.object({ level: accessLogOptions.shape.level.optional() }).strict();

export type AccessLogOptions = z.output<typeof accessLogOptions>;
export type AccessLogRouteOptions = z.output<typeof accessLogRouteOptions>;
