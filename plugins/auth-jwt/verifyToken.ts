// Verification of one bearer token per RFC 8725, with no server involved: size and shape first,
// then the header (no alg:none, no key-carrying or unknown critical headers, no nested JWTs), then
// the issuer by its exact "iss", then jose's signature and claim checks against that issuer's keys.
import { decodeJwt, decodeProtectedHeader, errors, jwtVerify, type JWTPayload } from 'jose';
import { KeysUnavailable, TokenRejected } from './errors.ts';
import type { KeyResolver } from './issuerKeys.ts';
import type { IssuerOptions } from './schema.ts';

export interface VerifiedToken {
  kind: 'jwt';
  /** The token's "sub" (what the rate-limit plugin's `by: user` policies key on). */
  sub: string;
  /** Same as sub. */
  userId: string;
  issuer: string;
  roles: string[];
  scopes: string[];
  /** When the token expires, in ms since the epoch. */
  expiresAt: number;
  claims: Readonly<JWTPayload>;
}

export interface TokenVerifierOptions {
  issuers: IssuerOptions[];
  keysFor: (issuer: string) => KeyResolver;
  /** Seconds of tolerance on exp, nbf and iat. */
  clockSkew: number;
  maxTokenSize: number;
  /** Milliseconds since the epoch; injectable so time-dependent checks are tested without waiting. */
  now?: () => number;
}

// Header parameters that point at or carry a key: trusting them lets the token choose its own key.
const KEY_CARRYING_HEADERS = ['jku', 'jwk', 'x5u', 'x5c'] as const;
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

export function createTokenVerifier(
  options: TokenVerifierOptions,
): (token: string) => Promise<VerifiedToken> {
  const now = options.now ?? Date.now;
  const issuers = new Map(options.issuers.map((issuer) => [issuer.issuer, issuer]));

  return async function verifyToken(token) {
    // 1. Size and shape, before any decoding.
    if (token.length > options.maxTokenSize) throw new TokenRejected('token too large');
    const parts = token.split('.').length;
    if (parts === 5) throw new TokenRejected('encrypted tokens (JWE) are not accepted');
    if (!COMPACT_JWS.test(token)) throw new TokenRejected('malformed token');

    // 2. The header, unverified: refuse anything that would let the token steer its own checking.
    let header: ReturnType<typeof decodeProtectedHeader>;
    try {
      header = decodeProtectedHeader(token);
    } catch {
      throw new TokenRejected('malformed token');
    }
    if (typeof header.alg !== 'string' || header.alg.toLowerCase() === 'none')
      throw new TokenRejected('unsigned tokens are not accepted');
    for (const name of KEY_CARRYING_HEADERS) {
      if (name in header) throw new TokenRejected(`the "${name}" header is not accepted`);
    }
    // No JWS extension is understood here, so any critical one means the token cannot be checked (RFC 7515 §4.1.11).
    if ('crit' in header) throw new TokenRejected('unsupported critical header');
    if (typeof header.cty === 'string' && header.cty.toUpperCase() === 'JWT')
      throw new TokenRejected('nested tokens are not accepted');
    let unverified: JWTPayload;
    try {
      unverified = decodeJwt(token);
    } catch {
      throw new TokenRejected('malformed token');
    }

    // 3. The issuer, by exact match of the claim it states (verified by signature below).
    const issuer = typeof unverified.iss === 'string' ? issuers.get(unverified.iss) : undefined;
    if (!issuer) throw new TokenRejected('untrusted issuer');

    // 4. Signature and claims.
    const currentDate = new Date(now());
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, options.keysFor(issuer.issuer), {
        issuer: issuer.issuer,
        audience: issuer.audiences,
        algorithms: issuer.algorithms,
        typ: issuer.typ,
        requiredClaims: ['sub', 'exp', ...issuer.requiredClaims],
        maxTokenAge: issuer.maxTokenAge === undefined ? undefined : Math.floor(issuer.maxTokenAge / 1000),
        clockTolerance: options.clockSkew,
        currentDate,
        crit: {},
      }));
    } catch (error) {
      throw translate(error);
    }

    // 5. What jose leaves to the caller: iat not in the future, a usable subject.
    const nowSeconds = Math.floor(currentDate.getTime() / 1000);
    if (payload.iat !== undefined && payload.iat > nowSeconds + options.clockSkew)
      throw new TokenRejected('token issued in the future');
    if (typeof payload.sub !== 'string' || payload.sub.length === 0)
      throw new TokenRejected('invalid "sub" claim');

    return {
      kind: 'jwt',
      sub: payload.sub,
      userId: payload.sub,
      issuer: issuer.issuer,
      roles: stringList(claimAt(payload, issuer.rolesClaim)),
      scopes: stringList(claimAt(payload, issuer.scopesClaim)),
      expiresAt: payload.exp! * 1000,
      claims: Object.freeze(payload),
    };
  };
}

/** jose's errors, as a client may read them: short, fixed descriptions; never token content. */
function translate(error: unknown): Error {
  if (error instanceof KeysUnavailable) return error;
  if (error instanceof errors.JWTExpired) {
    return new TokenRejected(error.claim === 'iat' ? 'token too old' : 'token expired');
  }
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.reason === 'missing') return new TokenRejected(`missing required "${error.claim}" claim`);
    if (error.claim === 'nbf') return new TokenRejected('token not yet valid');
    if (error.claim === 'typ') return new TokenRejected('unexpected token type');
    return new TokenRejected(`invalid "${error.claim}" claim`);
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) return new TokenRejected('invalid signature');
  if (error instanceof errors.JOSEAlgNotAllowed) return new TokenRejected('algorithm not accepted');
  if (error instanceof errors.JWKSNoMatchingKey) return new TokenRejected('unknown signing key');
  if (error instanceof errors.JWKSMultipleMatchingKeys)
    return new TokenRejected('token names no key ("kid") and the issuer has several');
  if (error instanceof errors.JWKSInvalid)
    return new KeysUnavailable('the issuer published an invalid key set', 5);
  if (error instanceof errors.JOSEError) return new TokenRejected('malformed token');
  return error instanceof Error ? error : new Error(String(error));
}

function claimAt(payload: JWTPayload, path: string): unknown {
  let value: unknown = payload;
  for (const key of path.split('.')) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/** Roles and scopes come as an array of strings or a space-separated string; anything else counts as none. */
function stringList(value: unknown): string[] {
  if (typeof value === 'string') return value.split(' ').filter(Boolean);
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === 'string');
  return [];
}
