// Drains the push outbox to FCM's HTTP v1 API (POST {fcm}/v1/projects/{project}/messages:send).
// A claimed row's next attempt is pushed into the future before sending, so a crash mid-send
// retries it later instead of losing it (at-least-once to FCM; one row per device and notice).
// 429/5xx/network errors retry with exponential backoff (Retry-After honoured) up to
// maxAttempts; FCM's UNREGISTERED / 404 removes the device; other 4xx fail the row.
import type { Logger } from 'pino';
import type { Database } from '../../kit/index.ts';
import type { PushConfig } from './pushConfig.ts';

interface Claimed {
  id: string;
  device_id: string;
  token: string;
  attempts: number;
  payload: { title: string; data: Record<string, string> };
}

export interface PushDispatcher {
  /** One pass over the due rows; resolves with how many were sent. */
  runOnce(): Promise<number>;
  stop(): Promise<void>;
}

const BATCH = 20;
const LEASE_SECONDS = 60;

export function startPushDispatcher(db: Database, config: PushConfig, logger: Logger): PushDispatcher {
  const log = logger.child({ component: 'push' });
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let running: Promise<number> | undefined;

  const endpoint = `${config.fcmUrl}/v1/projects/${encodeURIComponent(config.project ?? '')}/messages:send`;

  async function claim(): Promise<Claimed[]> {
    const result = await db.query<Claimed>(
      `update appointments.push_outbox o
          set attempts = o.attempts + 1, next_attempt_at = now() + make_interval(secs => $2)
         from appointments.devices d
        where d.id = o.device_id and o.id in (
          select id from appointments.push_outbox
           where state = 'pending' and next_attempt_at <= now() order by id limit $1 for update skip locked)
        returning o.id, o.device_id, d.token, o.attempts, o.payload`,
      [BATCH, LEASE_SECONDS],
    );
    return result.rows;
  }

  async function send(
    row: Claimed,
  ): Promise<
    { ok: true } | { ok: false; retry: boolean; drop: boolean; error: string; retryAfterMs?: number }
  > {
    const controller = AbortSignal.timeout(config.timeoutMs);
    try {
      const response = await fetch(endpoint, {
        method: 'POST',
        signal: controller,
        headers: {
          'content-type': 'application/json',
          ...(config.token ? { authorization: `Bearer ${config.token}` } : {}),
        },
        body: JSON.stringify({
          message: {
            token: row.token,
            notification: { title: row.payload.title },
            data: row.payload.data,
          },
        }),
      });
      const text = await response.text();
      if (response.ok) return { ok: true };
      const unregistered = response.status === 404 || text.includes('UNREGISTERED');
      const retry = response.status === 429 || response.status >= 500;
      const retryAfter = Number(response.headers.get('retry-after'));
      return {
        ok: false,
        retry,
        drop: unregistered,
        error: `FCM answered ${response.status}`,
        retryAfterMs: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined,
      };
    } catch (error) {
      return { ok: false, retry: true, drop: false, error: (error as Error).name };
    }
  }

  async function settle(row: Claimed, outcome: Awaited<ReturnType<typeof send>>): Promise<boolean> {
    if (outcome.ok) {
      await db.query(
        `update appointments.push_outbox set state = 'sent', sent_at = now(), last_error = null where id = $1`,
        [row.id],
      );
      return true;
    }
    if (outcome.drop) {
      // The token is dead: the device goes (and its outbox rows with it, by cascade).
      await db.query('delete from appointments.devices where id = $1', [row.device_id]);
      log.info({ outboxId: row.id }, 'push token unregistered; device removed');
      return false;
    }
    if (outcome.retry && row.attempts < config.maxAttempts) {
      const backoff = Math.max(outcome.retryAfterMs ?? 0, config.retryBaseMs * 2 ** (row.attempts - 1));
      await db.query(
        `update appointments.push_outbox set next_attempt_at = now() + make_interval(secs => $2), last_error = $3 where id = $1`,
        [row.id, backoff / 1000, outcome.error],
      );
      log.warn({ outboxId: row.id, attempts: row.attempts, error: outcome.error }, 'push failed; will retry');
      return false;
    }
    await db.query(`update appointments.push_outbox set state = 'failed', last_error = $2 where id = $1`, [
      row.id,
      outcome.error,
    ]);
    log.error({ outboxId: row.id, attempts: row.attempts, error: outcome.error }, 'push failed for good');
    return false;
  }

  async function pass(): Promise<number> {
    let sent = 0;
    for (const row of await claim()) if (await settle(row, await send(row))) sent += 1;
    return sent;
  }

  const runOnce = () => (running ??= pass().finally(() => (running = undefined)));

  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      runOnce()
        .catch((error: unknown) => log.error({ err: error }, 'push pass failed'))
        .finally(schedule);
    }, config.pollMs);
    timer.unref();
  };
  if (config.project) schedule();

  return {
    runOnce,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running?.catch(() => undefined);
    },
  };
}
