// Verifies ID tokens from the configured external OIDC issuer (the campus portal) against the
// JWKS named in its discovery document, fetched once and cached by jose.
import { createRemoteJWKSet, jwtVerify } from 'jose';
import type { JWTPayload, JWTVerifyGetKey } from 'jose';

export interface ExternalIdentity {
  issuer: string;
  subject: string;
  email: string | undefined;
  emailVerified: boolean;
  name: string | undefined;
}

export type IdTokenVerifier = (idToken: string, nonce?: string) => Promise<ExternalIdentity>;

export function createIdTokenVerifier(config: {
  issuer: string;
  audience: string;
  jwksUrl?: string;
}): IdTokenVerifier {
  let keys: Promise<JWTVerifyGetKey> | undefined;
  const discoverKeys = async (): Promise<JWTVerifyGetKey> => {
    let jwksUrl = config.jwksUrl;
    if (!jwksUrl) {
      const url = `${config.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
      const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
      if (!response.ok) throw new Error(`OIDC discovery failed: ${url} answered ${response.status}`);
      const discovery = (await response.json()) as { jwks_uri?: string; issuer?: string };
      if (discovery.issuer !== config.issuer) throw new Error('OIDC discovery: issuer mismatch');
      if (!discovery.jwks_uri) throw new Error('OIDC discovery: no jwks_uri');
      jwksUrl = discovery.jwks_uri;
    }
    return createRemoteJWKSet(new URL(jwksUrl));
  };

  return async (idToken, nonce) => {
    // A failed discovery is retried on the next call rather than cached forever.
    keys ??= discoverKeys().catch((error: unknown) => {
      keys = undefined;
      throw error;
    });
    const { payload } = await jwtVerify(idToken, await keys, {
      issuer: config.issuer,
      audience: config.audience,
      requiredClaims: ['sub', 'exp', 'iat'],
    });
    if (nonce !== undefined && payload.nonce !== nonce) throw new Error('nonce mismatch');
    return toExternalIdentity(payload, config.issuer);
  };
}

function toExternalIdentity(payload: JWTPayload, issuer: string): ExternalIdentity {
  return {
    issuer,
    subject: payload.sub as string,
    email: typeof payload.email === 'string' ? payload.email : undefined,
    emailVerified: payload.email_verified === true,
    name: typeof payload.name === 'string' ? payload.name : undefined,
  };
}
