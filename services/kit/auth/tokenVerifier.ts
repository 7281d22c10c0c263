// Access-token verification (ES256 JWTs from identity). Services fetch identity's JWKS and
// cache it (remoteKeySet.ts: refetched at once on an unknown `kid`, so a new key is picked up,
// and after a max age, so a retired one is dropped); identity passes its own key lookup instead.
import { jwtVerify } from 'jose';
import type { JWTVerifyGetKey } from 'jose';
import { ROLES } from './principal.ts';
import type { Principal, Role } from './principal.ts';
import { createRemoteKeySet, JWKS_DEFAULTS } from './remoteKeySet.ts';

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
  /** Milliseconds; default 5 min: a key identity no longer publishes is refused at most this much later. */
  maxAge?: number;
  /** Milliseconds; default 1 s: the least time between two JWKS fetches. */
  minInterval?: number;
}): TokenVerifier {
  const keys = createRemoteKeySet({
    url: options.jwksUrl,
    maxAge: options.maxAge ?? JWKS_DEFAULTS.maxAge * 1000,
    minInterval: options.minInterval ?? JWKS_DEFAULTS.minInterval * 1000,
    timeout: 5_000,
  });
  return createTokenVerifier({
    keys,
    issuer: options.issuer,
    audience: options.audience ?? DEFAULT_AUDIENCE,
  });
}
