// Programs' settings from the environment.
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/** The bundled sample feeds: the embedded default syncs these, with no network. */
export const BUNDLED_FEEDS = [
  fileURLToPath(new URL('./feeds/campus-health.rss.xml', import.meta.url)),
  fileURLToPath(new URL('./feeds/student-life.atom.xml', import.meta.url)),
];

const ProgramsEnv = z.object({
  /** Comma-separated feed URLs (http, https, file) or file paths. */
  PROGRAMS_FEEDS: z.string().optional(),
  /** Cron expression for the sync job; "off" disables it. Default daily at 02:00. */
  PROGRAMS_SYNC_CRON: z.string().default('0 2 * * *'),
  PROGRAMS_FEED_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
});

export interface ProgramsConfig {
  feeds: string[];
  syncCron: string | undefined;
  feedTimeoutMs: number;
}

export function readProgramsConfig(env: NodeJS.ProcessEnv): ProgramsConfig {
  const parsed = ProgramsEnv.safeParse(env);
  if (!parsed.success) {
    throw new Error(
      `programs: invalid environment: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  const feeds = parsed.data.PROGRAMS_FEEDS?.split(',')
    .map((feed) => feed.trim())
    .filter(Boolean);
  return {
    feeds: feeds && feeds.length > 0 ? feeds : BUNDLED_FEEDS,
    syncCron: parsed.data.PROGRAMS_SYNC_CRON === 'off' ? undefined : parsed.data.PROGRAMS_SYNC_CRON,
    feedTimeoutMs: parsed.data.PROGRAMS_FEED_TIMEOUT_MS,
  };
}
