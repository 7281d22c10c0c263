// What identity's routes share: one per started service, never module-level.
import type { Logger } from 'pino';
import type { Database } from '../kit/index.ts';
import type { IdentityConfig } from './config.ts';
import type { SigningKeys } from './keys/signingKeys.ts';
import type { PasswordHasher } from './passwords/passwordHash.ts';
import type { IdTokenVerifier } from './sso/idTokenVerifier.ts';

export interface IdentityContext {
  db: Database;
  config: IdentityConfig;
  keys: SigningKeys;
  passwords: PasswordHasher;
  /** The configured issuer, else this server's own loopback URL (known once listening). */
  issuer(): string;
  verifyIdToken: IdTokenVerifier | undefined;
  logger: Logger;
}
