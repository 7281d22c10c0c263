// Failed logins slow down, then lock, per account and per client IP. After `threshold` failures
// within the window each further failure doubles the lock (1 s, 2 s, 4 s ...) up to 15 minutes.
// Locks answer 429 with Retry-After instead of sleeping, so an attack costs the server nothing.
import type { Database } from '../kit/index.ts';

export interface ThrottleRule {
  key: string;
  threshold: number;
}

const WINDOW_SECONDS = 15 * 60;
const MAX_LOCK_SECONDS = 15 * 60;

export const ACCOUNT_THRESHOLD = 5;
/** Higher than the account one: a campus network puts many students behind one address. */
export const IP_THRESHOLD = 20;

export function throttleRules(email: string, ip: string): ThrottleRule[] {
  return [
    { key: `account:${email}`, threshold: ACCOUNT_THRESHOLD },
    { key: `ip:${ip}`, threshold: IP_THRESHOLD },
  ];
}

/** Seconds until the longest current lock among `rules` ends, or 0 when none is locked. */
export async function lockedFor(db: Database, rules: ThrottleRule[]): Promise<number> {
  const result = await db.query<{ seconds: number }>(
    `select ceil(extract(epoch from max(locked_until) - now()))::int as seconds
       from identity.login_failures where key = any($1) and locked_until > now()`,
    [rules.map((rule) => rule.key)],
  );
  return result.rows[0]?.seconds ?? 0;
}

export async function recordFailure(db: Database, rules: ThrottleRule[]): Promise<void> {
  for (const rule of rules) {
    await db.query(
      `insert into identity.login_failures as f (key, failures, last_failure_at) values ($1, 1, now())
       on conflict (key) do update set
         failures = case when f.last_failure_at < now() - make_interval(secs => $2) then 1 else f.failures + 1 end,
         last_failure_at = now()`,
      [rule.key, WINDOW_SECONDS],
    );
    await db.query(
      `update identity.login_failures
          set locked_until = now() + make_interval(secs => least($3::float8, power(2, failures - $2)))
        where key = $1 and failures >= $2`,
      [rule.key, rule.threshold, MAX_LOCK_SECONDS],
    );
  }
}

/** A successful login clears the account's count; the IP's stays, so one good account cannot reset it. */
export async function recordSuccess(db: Database, email: string): Promise<void> {
  await db.query(`delete from identity.login_failures where key = $1`, [`account:${email}`]);
}
