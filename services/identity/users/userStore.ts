// Users and their linked SSO identities.
import type { Queryable, Role } from '../../kit/index.ts';
import { isUniqueViolation } from '../../kit/index.ts';

export interface User {
  id: string;
  email: string;
  name: string | null;
  roles: Role[];
  createdAt: string;
}

interface UserRow {
  id: string;
  email: string;
  name: string | null;
  roles: Role[];
  created_at: Date;
  password_hash: string | null;
}

const COLUMNS = 'id, email, name, roles, created_at, password_hash';

export function toUser(row: UserRow): User {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    roles: row.roles,
    createdAt: row.created_at.toISOString(),
  };
}

export class EmailTakenError extends Error {}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export async function createUser(
  db: Queryable,
  input: { email: string; name?: string | null; passwordHash: string | null; roles?: Role[] },
): Promise<User> {
  try {
    const result = await db.query<UserRow>(
      `insert into identity.users (email, name, password_hash, roles) values ($1, $2, $3, $4) returning ${COLUMNS}`,
      [normalizeEmail(input.email), input.name ?? null, input.passwordHash, input.roles ?? ['student']],
    );
    return toUser(result.rows[0] as UserRow);
  } catch (error) {
    if (isUniqueViolation(error, 'users_email_unique')) throw new EmailTakenError();
    throw error;
  }
}

export async function findUserByEmail(
  db: Queryable,
  email: string,
): Promise<(User & { passwordHash: string | null }) | undefined> {
  const result = await db.query<UserRow>(`select ${COLUMNS} from identity.users where lower(email) = $1`, [
    normalizeEmail(email),
  ]);
  const row = result.rows[0];
  return row ? { ...toUser(row), passwordHash: row.password_hash } : undefined;
}

export async function findUserById(db: Queryable, id: string): Promise<User | undefined> {
  const result = await db.query<UserRow>(`select ${COLUMNS} from identity.users where id = $1`, [id]);
  return result.rows[0] ? toUser(result.rows[0]) : undefined;
}

export async function findUsersByIds(db: Queryable, ids: string[]): Promise<User[]> {
  const result = await db.query<UserRow>(`select ${COLUMNS} from identity.users where id = any($1::uuid[])`, [
    ids,
  ]);
  return result.rows.map(toUser);
}

/** Users holding `role`, by name, at most `limit` (the staff picker). */
export async function findUsersByRole(db: Queryable, role: Role, limit: number): Promise<User[]> {
  const result = await db.query<UserRow>(
    `select ${COLUMNS} from identity.users where $1 = any(roles) order by name nulls last, id limit $2`,
    [role, limit],
  );
  return result.rows.map(toUser);
}

export async function setUserRoles(db: Queryable, id: string, roles: Role[]): Promise<User | undefined> {
  const result = await db.query<UserRow>(
    `update identity.users set roles = $2, updated_at = now() where id = $1 returning ${COLUMNS}`,
    [id, roles],
  );
  return result.rows[0] ? toUser(result.rows[0]) : undefined;
}

export async function anyAdminExists(db: Queryable): Promise<boolean> {
  const result = await db.query(`select 1 from identity.users where 'admin' = any(roles) limit 1`);
  return result.rowCount > 0;
}

export async function findUserByExternalIdentity(
  db: Queryable,
  issuer: string,
  subject: string,
): Promise<User | undefined> {
  const result = await db.query<UserRow>(
    `select ${COLUMNS.split(', ')
      .map((c) => `u.${c}`)
      .join(', ')}
       from identity.external_identities x join identity.users u on u.id = x.user_id
      where x.issuer = $1 and x.subject = $2`,
    [issuer, subject],
  );
  return result.rows[0] ? toUser(result.rows[0]) : undefined;
}

export async function linkExternalIdentity(
  db: Queryable,
  issuer: string,
  subject: string,
  userId: string,
): Promise<void> {
  await db.query(
    `insert into identity.external_identities (issuer, subject, user_id) values ($1, $2, $3)
     on conflict (issuer, subject) do nothing`,
    [issuer, subject, userId],
  );
}
