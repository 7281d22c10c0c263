// Access-token verification (ES256 JWTs from identity). Services fetch identity's JWKS and
// cache it (jose refetches on an unknown `kid`, so a rotated key is picked up); identity
// passes its own key lookup instead.
import { createRemoteJWKSet, jwtVerify } from 'jose';
import type { JWTVerifyGetKey } from 'jose';
import { ROLES } from './principal.ts';
import type { Principal, Role } from './principal.ts';

export type TokenVerifier = (token: string) => Promise<Principal>;

export interface TokenVerifierOptions {
  keys: JWTVerifyGetKey;
  /** A function, because identity on an ephemeral port knows its issuer only once listening. */
  issuer: string | (() => string);
  audience: string;
}

export const DEFAULT_AUDIENCE = 'portico';

export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  return async (token) => {
    const issuer = typeof options.issuer === 'function' ? options.issuer() : options.issuer;
    const { payload } = await jwtVerify(token, options.keys, {
      issuer,
      audience: options.audience,
      algorithms: ['ES256'],
      requiredClaims: ['sub', 'exp'],
    });
    const roles = Array.isArray(payload.roles)
      ? payload.roles.filter((role): role is Role => ROLES.includes(role as Role))
      : [];
    const principal: Principal = { sub: payload.sub as string, roles };
    if (typeof payload.email === 'string') principal.email = payload.email;
    return principal;
  };
}

export function createRemoteTokenVerifier(options: {
  jwksUrl: string;
  issuer: string;
  audience?: string;
}): TokenVerifier {
  const keys = createRemoteJWKSet(new URL(options.jwksUrl), {
    cacheMaxAge: 10 * 60_000,
    cooldownDuration: 30_000,
    timeoutDuration: 5_000,
  });
  return createTokenVerifier({
    keys,
    issuer: options.issuer,
    audience: options.audience ?? DEFAULT_AUDIENCE,
  });
}
