// The first admin: from PORTICO_ADMIN_EMAIL / PORTICO_ADMIN_PASSWORD, or generated once when no
// admin exists, its password printed once to stderr (never to the JSON log).
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Database } from '../kit/index.ts';
import type { IdentityConfig } from './config.ts';
import type { PasswordHasher } from './passwords/passwordHash.ts';
import { passwordWeakness } from './passwords/passwordPolicy.ts';
import {
  EmailTakenError,
  anyAdminExists,
  createUser,
  findUserByEmail,
  setUserRoles,
} from './users/userStore.ts';

export const GENERATED_ADMIN_EMAIL = 'admin@portico.local';

export async function bootstrapAdmin(
  db: Database,
  config: IdentityConfig,
  passwords: PasswordHasher,
  logger: Logger,
): Promise<void> {
  if (config.admin) {
    const weakness = passwordWeakness(config.admin.password, config.admin.email);
    if (weakness) throw new Error(`identity: PORTICO_ADMIN_PASSWORD is weak: ${weakness}`);
    const existing = await findUserByEmail(db, config.admin.email);
    if (existing) {
      if (!existing.roles.includes('admin'))
        await setUserRoles(db, existing.id, [...existing.roles, 'admin']);
      return;
    }
    await createAdmin(db, passwords, config.admin.email, config.admin.password);
    logger.info('first admin created from PORTICO_ADMIN_EMAIL');
    return;
  }
  if (await anyAdminExists(db)) return;
  const password = randomBytes(18).toString('base64url');
  if (!(await createAdmin(db, passwords, GENERATED_ADMIN_EMAIL, password))) return;
  logger.warn('no admin configured: generated one; its password is printed once on stderr');
  console.error(
    `\n  Portico identity: first admin generated (shown once)\n    email:    ${GENERATED_ADMIN_EMAIL}\n    password: ${password}\n  Set PORTICO_ADMIN_EMAIL / PORTICO_ADMIN_PASSWORD to choose your own.\n`,
  );
}

/** False when another instance created the same admin first. */
async function createAdmin(
  db: Database,
  passwords: PasswordHasher,
  email: string,
  password: string,
): Promise<boolean> {
  try {
    await createUser(db, {
      email,
      name: 'Administrator',
      passwordHash: await passwords.hash(password),
      roles: ['admin'],
    });
    return true;
  } catch (error) {
    if (error instanceof EmailTakenError) return false;
    throw error;
  }
}
