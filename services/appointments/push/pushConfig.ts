// Push settings from the environment. Without a project the dispatcher does not run (pushes stay
// queued in the outbox until one is configured).
import { z } from 'zod';

const PushEnv = z.object({
  /** FCM's base URL; tests point it at a local server that speaks the HTTP v1 API. */
  APPOINTMENTS_PUSH_FCM_URL: z.url().default('https://fcm.googleapis.com'),
  APPOINTMENTS_PUSH_FCM_PROJECT: z.string().min(1).optional(),
  /** A bearer access token for FCM (minted from the service account by the deployment). */
  APPOINTMENTS_PUSH_FCM_TOKEN: z.string().min(1).optional(),
  APPOINTMENTS_PUSH_POLL_MS: z.coerce.number().int().positive().default(1000),
  APPOINTMENTS_PUSH_RETRY_BASE_MS: z.coerce.number().int().positive().default(2000),
  APPOINTMENTS_PUSH_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(8),
  APPOINTMENTS_PUSH_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
});

export interface PushConfig {
  fcmUrl: string;
  project: string | undefined;
  token: string | undefined;
  pollMs: number;
  retryBaseMs: number;
  maxAttempts: number;
  timeoutMs: number;
}

export function readPushConfig(env: NodeJS.ProcessEnv): PushConfig {
  const parsed = PushEnv.safeParse(env);
  if (!parsed.success) {
    throw new Error(
      `appointments: invalid environment: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  const e = parsed.data;
  return {
    fcmUrl: e.APPOINTMENTS_PUSH_FCM_URL.replace(/\/$/, ''),
    project: e.APPOINTMENTS_PUSH_FCM_PROJECT,
    token: e.APPOINTMENTS_PUSH_FCM_TOKEN,
    pollMs: e.APPOINTMENTS_PUSH_POLL_MS,
    retryBaseMs: e.APPOINTMENTS_PUSH_RETRY_BASE_MS,
    maxAttempts: e.APPOINTMENTS_PUSH_MAX_ATTEMPTS,
    timeoutMs: e.APPOINTMENTS_PUSH_TIMEOUT_MS,
  };
}
