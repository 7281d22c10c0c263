// Opaque refresh tokens, stored as sha256 hashes and rotated on every use. Presenting a token
// that was already exchanged means it leaked: the whole family is revoked (OAuth 2.0 Security
// BCP, refresh token rotation).
import { createHash, randomBytes } from 'node:crypto';
import type { Database, Queryable } from '../../kit/index.ts';

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

async function insertToken(db: Queryable, familyId: string, ttlSeconds: number): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  await db.query(
    `insert into identity.refresh_tokens (token_hash, family_id, expires_at)
     values ($1, $2, now() + make_interval(secs => $3))`,
    [hashToken(token), familyId, ttlSeconds],
  );
  return token;
}

/** Starts a new family (one per login) and returns its first token. */
export async function startRefreshFamily(db: Database, userId: string, ttlSeconds: number): Promise<string> {
  return db.transaction(async (tx) => {
    const family = await tx.query<{ id: string }>(
      `insert into identity.refresh_families (user_id) values ($1) returning id`,
      [userId],
    );
    return insertToken(tx, (family.rows[0] as { id: string }).id, ttlSeconds);
  });
}

export type RotationResult =
  | { outcome: 'rotated'; userId: string; refreshToken: string }
  | { outcome: 'invalid' }
  | { outcome: 'reused' };

export async function rotateRefreshToken(
  db: Database,
  token: string,
  ttlSeconds: number,
): Promise<RotationResult> {
  return db.transaction(async (tx): Promise<RotationResult> => {
    // `for update` makes two concurrent exchanges of one token serialize: the second sees it used.
    const found = await tx.query<{
      family_id: string;
      user_id: string;
      used: boolean;
      expired: boolean;
      revoked: boolean;
    }>(
      `select t.family_id, f.user_id, t.used_at is not null as used, t.expires_at <= now() as expired,
              f.revoked_at is not null as revoked
         from identity.refresh_tokens t join identity.refresh_families f on f.id = t.family_id
        where t.token_hash = $1
        for update of t, f`,
      [hashToken(token)],
    );
    const row = found.rows[0];
    if (!row || row.revoked || row.expired) return { outcome: 'invalid' };
    if (row.used) {
      await revokeFamily(tx, row.family_id, 'refresh token reused');
      return { outcome: 'reused' };
    }
    await tx.query(`update identity.refresh_tokens set used_at = now() where token_hash = $1`, [
      hashToken(token),
    ]);
    return {
      outcome: 'rotated',
      userId: row.user_id,
      refreshToken: await insertToken(tx, row.family_id, ttlSeconds),
    };
  });
}

async function revokeFamily(db: Queryable, familyId: string, reason: string): Promise<void> {
  await db.query(
    `update identity.refresh_families set revoked_at = now(), revoked_reason = $2 where id = $1 and revoked_at is null`,
    [familyId, reason],
  );
}

/** Logout: revokes the family of `token`, if it names one. */
export async function revokeFamilyOf(db: Database, token: string): Promise<boolean> {
  const found = await db.query<{ family_id: string }>(
    `select family_id from identity.refresh_tokens where token_hash = $1`,
    [hashToken(token)],
  );
  const familyId = found.rows[0]?.family_id;
  if (!familyId) return false;
  await revokeFamily(db, familyId, 'logout');
  return true;
}
