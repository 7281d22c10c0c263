import { z } from 'zod';
import { byteSize, duration } from '../../contracts/units.ts';

const headerName = z
  .string()
  .toLowerCase()
  .regex(/^[a-z0-9!#$%&'*+.^_`|~-]+$/, 'expected a header name');

export const responseCacheOptions = z
  .object({
    store: z
      .enum(['auto', 'memory', 'redis'])
      .default('auto')
      .describe('auto: Redis when the gateway has one (every instance shares the entries), else memory'),
    ttl: duration()
      .prefault('5m')
      .describe('How long an answer is kept when neither the route nor the upstream says'),
    maxEntries: z
      .number()
      .int()
      .positive()
      .default(10_000)
      .describe('Memory store: most entries kept (least recently used go first)'),
    maxBytes: byteSize().prefault('64mb').describe('Memory store: most bytes of bodies kept'),
    maxEntrySize: byteSize()
      .prefault('1mb')
      .describe('Largest body stored; a larger answer passes through and is not kept'),
    keyPrefix: z.string().min(1).default('portico:cache').describe('Redis store: prefix of every key'),
    purgeOnWrite: z
      .boolean()
      .default(true)
      .describe(
        'A successful POST, PUT, PATCH or DELETE purges its path and its collection (the parent path)',
      ),
  })
  .strict();

export const responseCacheRouteOptions = z
  .object({
    ttl: duration().optional().describe("This route's TTL (the upstream's s-maxage / max-age still wins)"),
    vary: z
      .array(headerName)
      .default([])
      .describe("Request headers that key the entry besides the answer's own Vary (e.g. accept-language)"),
  })
  .strict();

export type ResponseCacheOptions = z.output<typeof responseCacheOptions>;
export type ResponseCacheRouteOptions = z.output<typeof responseCacheRouteOptions>;
