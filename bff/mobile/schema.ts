// Options of the mobile BFF; every default is one a production deployment can run with.
import { z } from 'zod';
import { byteSize, duration } from '../../contracts/units.ts';

export const mobileBffOptions = z
  .object({
    upstreams: z
      .object({
        programs: z.string().default('programs'),
        appointments: z.string().default('appointments'),
        resources: z.string().default('resources'),
      })
      .strict()
      .prefault({})
      .describe('Names of the configured upstreams the screens call'),
    deadline: duration()
      .prefault('2s')
      .describe('Deadline of each service call of a screen; past it the section is stale or unavailable'),
    lastGood: z
      .object({
        maxEntries: z.number().int().positive().default(10_000).describe('Bound of the in-memory store'),
        maxAge: duration().prefault('24h').describe('Oldest copy shown in place of a failed section'),
      })
      .strict()
      .prefault({}),
    compression: z
      .object({
        minBytes: byteSize().prefault('1kb').describe('Smaller answers are sent uncompressed'),
        brotliQuality: z.number().int().min(0).max(11).default(4),
        gzipLevel: z.number().int().min(1).max(9).default(6),
      })
      .strict()
      .prefault({}),
    sync: z
      .object({
        pageSize: z.number().int().min(1).max(500).default(200).describe('Changes per part and call'),
        cursorMaxAge: duration()
          .prefault('720h')
          .describe('A cursor older than this asks for a full resync (410 resync-required)'),
      })
      .strict()
      .prefault({}),
    replay: z
      .object({
        keyTtl: duration().prefault('168h').describe('How long an applied action key is remembered'),
        pendingTtl: duration()
          .prefault('2m')
          .describe('Expiry of the in-flight mark of an action, so a crashed instance frees its key'),
        clockSkewTolerance: duration()
          .prefault('1m')
          .describe('A phone clock off by more than this (sentAt vs arrival) is corrected'),
        maxActions: z.number().int().min(1).max(100).default(100),
        maxKeys: z
          .number()
          .int()
          .positive()
          .default(100_000)
          .describe('Bound of the in-memory dedup store (Redis: keyTtl bounds it)'),
      })
      .strict()
      .prefault({}),
    downloadPath: z
      .string()
      .startsWith('/')
      .default('/api/v1/resources')
      .describe('Public path the app downloads files from: {downloadPath}/{id}/download'),
  })
  .strict();

export type MobileBffOptions = z.output<typeof mobileBffOptions>;
