// Identity's settings, read once from the environment; a bad value stops the start with its name.
import { z } from 'zod';

const seconds = (fallback: number) => z.coerce.number().int().positive().default(fallback);
const optionalSeconds = z.coerce.number().int().min(0).optional();

/**
 * Pre-publication default: twice the longest routine JWKS refresh of Portico's verifiers (5 min),
 * so every verifier holds a new key before the first token it signs, even one that never
 * refetches on an unknown kid.
 */
export const DEFAULT_KEY_PREPUBLICATION = 600;
/** Clock skew verifiers may allow on exp: a retired key stays published this much past its last token. */
const VERIFIER_SKEW_SECONDS = 60;

const IdentityEnv = z.object({
  IDENTITY_ISSUER: z.url().optional(),
  IDENTITY_AUDIENCE: z.string().min(1).default('portico'),
  IDENTITY_ACCESS_TOKEN_TTL: seconds(900).refine((value) => value <= 3600, 'at most 3600 seconds (1 h)'),
  IDENTITY_REFRESH_TOKEN_TTL: seconds(30 * 24 * 3600),
  /** Cron expression for signing-key rotation; "off" disables the schedule. Default: monthly. */
  IDENTITY_KEY_ROTATION_CRON: z.string().default('0 3 1 * *'),
  /** Seconds a new key is in the JWKS before it signs. */
  IDENTITY_KEY_PREPUBLICATION: optionalSeconds,
  /** Seconds a key stays in the JWKS after it stops signing; default: the token TTL + 60 s. */
  IDENTITY_KEY_GRACE: optionalSeconds,
  IDENTITY_SSO_ISSUER: z.url().optional(),
  IDENTITY_SSO_AUDIENCE: z.string().min(1).optional(),
  IDENTITY_SSO_JWKS_URL: z.url().optional(),
  /** scrypt cost as log2(N); 15 by default. Lower only where hashing speed matters more (tests). */
  IDENTITY_SCRYPT_LOG2_COST: z.coerce.number().int().min(10).max(20).default(15),
  /** Trust the last X-Forwarded-For hop (the gateway) for per-IP login throttling. */
  IDENTITY_TRUST_PROXY: z.enum(['true', 'false']).default('true'),
  PORTICO_ADMIN_EMAIL: z.email().optional(),
  PORTICO_ADMIN_PASSWORD: z.string().optional(),
});

export interface IdentityConfig {
  issuer: string | undefined;
  audience: string;
  accessTokenTtl: number;
  refreshTokenTtl: number;
  keyRotationCron: string | undefined;
  /** Seconds: pre-publication (next → active) and grace (retired → no longer published). */
  keyTimeline: { prePublication: number; grace: number };
  sso: { issuer: string; audience: string; jwksUrl: string | undefined } | undefined;
  trustProxy: boolean;
  scryptLog2Cost: number;
  admin: { email: string; password: string } | undefined;
}

export function readIdentityConfig(env: NodeJS.ProcessEnv): IdentityConfig {
  const parsed = IdentityEnv.safeParse(env);
  if (!parsed.success) {
    const reasons = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`identity: invalid environment: ${reasons.join('; ')}`);
  }
  const e = parsed.data;
  if (e.IDENTITY_SSO_ISSUER && !e.IDENTITY_SSO_AUDIENCE) {
    throw new Error('identity: IDENTITY_SSO_AUDIENCE (the client id) is required with IDENTITY_SSO_ISSUER');
  }
  if (Boolean(e.PORTICO_ADMIN_EMAIL) !== Boolean(e.PORTICO_ADMIN_PASSWORD)) {
    throw new Error('identity: set both PORTICO_ADMIN_EMAIL and PORTICO_ADMIN_PASSWORD, or neither');
  }
  return {
    issuer: e.IDENTITY_ISSUER?.replace(/\/$/, ''),
    audience: e.IDENTITY_AUDIENCE,
    accessTokenTtl: e.IDENTITY_ACCESS_TOKEN_TTL,
    refreshTokenTtl: e.IDENTITY_REFRESH_TOKEN_TTL,
    keyRotationCron: e.IDENTITY_KEY_ROTATION_CRON === 'off' ? undefined : e.IDENTITY_KEY_ROTATION_CRON,
    keyTimeline: {
      prePublication: e.IDENTITY_KEY_PREPUBLICATION ?? DEFAULT_KEY_PREPUBLICATION,
      grace: e.IDENTITY_KEY_GRACE ?? e.IDENTITY_ACCESS_TOKEN_TTL + VERIFIER_SKEW_SECONDS,
    },
    sso:
      e.IDENTITY_SSO_ISSUER && e.IDENTITY_SSO_AUDIENCE
        ? {
            issuer: e.IDENTITY_SSO_ISSUER,
            audience: e.IDENTITY_SSO_AUDIENCE,
            jwksUrl: e.IDENTITY_SSO_JWKS_URL,
          }
        : undefined,
    trustProxy: e.IDENTITY_TRUST_PROXY === 'true',
    scryptLog2Cost: e.IDENTITY_SCRYPT_LOG2_COST,
    admin:
      e.PORTICO_ADMIN_EMAIL && e.PORTICO_ADMIN_PASSWORD
        ? { email: e.PORTICO_ADMIN_EMAIL, password: e.PORTICO_ADMIN_PASSWORD }
        : undefined,
  };
}
