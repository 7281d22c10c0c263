// What every domain service's start function takes, and how a lone service finds identity.
import type { Logger } from 'pino';
import type { Database } from './db/Database.ts';
import { jwksTimingsFromEnv } from './auth/remoteKeySet.ts';
import { createRemoteTokenVerifier } from './auth/tokenVerifier.ts';
import type { TokenVerifier } from './auth/tokenVerifier.ts';

export interface ServiceStartOptions {
  db: Database;
  logger: Logger;
  env: NodeJS.ProcessEnv;
  verifyToken: TokenVerifier;
  host?: string;
  port?: number;
  /** Close the database on stop (true when the service owns it, false when it is shared). */
  ownsDatabase?: boolean;
}

export const DEFAULT_IDENTITY_ISSUER = 'http://127.0.0.1:7101';

/**
 * Verification against identity's JWKS: IDENTITY_JWKS_URL, else `${IDENTITY_ISSUER}/.well-known/jwks.json`
 * (or `fallbackJwksUrl`, e.g. identity's real URL when started in the same process), cached for
 * IDENTITY_JWKS_MAX_AGE and refetched at most every IDENTITY_JWKS_MIN_INTERVAL (seconds).
 */
export function tokenVerifierFromEnv(env: NodeJS.ProcessEnv, fallbackJwksUrl?: string): TokenVerifier {
  const issuer = (env.IDENTITY_ISSUER ?? DEFAULT_IDENTITY_ISSUER).replace(/\/$/, '');
  const jwksUrl = env.IDENTITY_JWKS_URL ?? fallbackJwksUrl ?? `${issuer}/.well-known/jwks.json`;
  return createRemoteTokenVerifier({
    jwksUrl,
    issuer,
    audience: env.IDENTITY_AUDIENCE ?? 'portico',
    ...jwksTimingsFromEnv(env),
  });
}
