// The verifier and the issuer key source without a gateway: time-dependent checks run on an
// injected clock, key fetching against a real JWKS server whose fetches are counted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeysUnavailable, TokenRejected } from './errors.ts';
import { createIssuerKeys, type IssuerKeys } from './issuerKeys.ts';
import { authJwtOptions } from './schema.ts';
import { startTestIssuer, type TestIssuer } from './testing/testIssuer.ts';
import { createTokenVerifier } from './verifyToken.ts';

let issuer: TestIssuer;
beforeAll(async () => {
  issuer = await startTestIssuer();
});
afterAll(() => issuer?.stop());

function verifierFor(
  issuerOptions: Record<string, unknown> = {},
  { now, keys }: { now?: () => number; keys?: IssuerKeys } = {},
) {
  const options = authJwtOptions.parse({
    issuers: [{ issuer: issuer.issuer, audiences: ['portico'], jwksUri: issuer.jwksUri, ...issuerOptions }],
  });
  const issuerKeys =
    keys ??
    createIssuerKeys({
      issuer: issuer.issuer,
      jwksUri: issuer.jwksUri,
      cooldown: 0,
      timeout: 5000,
      failureBackoff: 0,
    });
  return createTokenVerifier({
    issuers: options.issuers,
    keysFor: () => issuerKeys.resolve,
    clockSkew: 30,
    maxTokenSize: options.maxTokenSize,
    now,
  });
}

async function reason(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof TokenRejected) return error.description;
    throw error;
  }
  return 'accepted';
}

describe('createTokenVerifier', () => {
  it('returns the caller: sub, issuer, roles, scopes and expiry', async () => {
    const token = await issuer.sign({
      sub: 'u-42',
      roles: ['staff', 'admin'],
      scope: 'appointments:read appointments:write',
    });
    const verified = await verifierFor()(token);
    expect(verified).toMatchObject({
      kind: 'jwt',
      sub: 'u-42',
      userId: 'u-42',
      issuer: issuer.issuer,
      roles: ['staff', 'admin'],
      scopes: ['appointments:read', 'appointments:write'],
    });
    expect(verified.expiresAt).toBe((verified.claims.exp as number) * 1000);
  });

  it('reads roles from a dotted claim path and scopes from an array claim (Keycloak, Auth0 shapes)', async () => {
    const token = await issuer.sign({
      roles: undefined,
      realm_access: { roles: ['staff'] },
      scp: ['a', 'b'],
    });
    const verified = await verifierFor({ rolesClaim: 'realm_access.roles', scopesClaim: 'scp' })(token);
    expect(verified.roles).toEqual(['staff']);
    expect(verified.scopes).toEqual(['a', 'b']);
  });

  it('applies the clock skew to exp and nbf, on the injected clock', async () => {
    const t = 1_900_000_000;
    const token = await issuer.sign({ iat: t, nbf: t, exp: t + 60 });
    const at = (seconds: number) => verifierFor({}, { now: () => seconds * 1000 });
    expect(await reason(at(t - 29)(token))).toBe('accepted'); // nbf within the 30 s skew
    expect(await reason(at(t - 31)(token))).toBe('token not yet valid');
    expect(await reason(at(t + 60 + 29)(token))).toBe('accepted'); // exp within the skew
    expect(await reason(at(t + 60 + 31)(token))).toBe('token expired');
  });

  it('refuses an iat beyond the skew in the future, and tokens older than maxTokenAge', async () => {
    const t = 1_900_000_000;
    const token = await issuer.sign({ iat: t, exp: t + 3600 });
    expect(await reason(verifierFor({}, { now: () => (t - 31) * 1000 })(token))).toBe(
      'token issued in the future',
    );
    expect(await reason(verifierFor({ maxTokenAge: '10m' }, { now: () => (t + 500) * 1000 })(token))).toBe(
      'accepted',
    );
    expect(await reason(verifierFor({ maxTokenAge: '10m' }, { now: () => (t + 700) * 1000 })(token))).toBe(
      'token too old',
    );
  });

  it('enforces configured required claims and typ', async () => {
    const token = await issuer.sign();
    expect(await reason(verifierFor({ requiredClaims: ['email'] })(token))).toBe(
      'missing required "email" claim',
    );
    expect(await reason(verifierFor({ typ: 'at+jwt' })(token))).toBe('accepted');
    expect(await reason(verifierFor({ typ: 'dpop+jwt' })(token))).toBe('unexpected token type');
  });
});

describe('createIssuerKeys', () => {
  it('finds the JWKS by OIDC discovery when no jwksUri is configured, once', async () => {
    const before = { ...issuer.fetches };
    const keys = createIssuerKeys({ issuer: issuer.issuer, cooldown: 0, timeout: 5000, failureBackoff: 0 });
    const verify = verifierFor({}, { keys });
    for (let i = 0; i < 3; i++) expect(await reason(verify(await issuer.sign()))).toBe('accepted');
    expect(issuer.fetches.discovery - before.discovery).toBe(1);
    expect(issuer.fetches.jwks - before.jwks).toBe(1);
  });

  it('refuses a discovery document of another issuer: 503, not acceptance', async () => {
    const keys = createIssuerKeys({
      issuer: `${issuer.issuer}/realms/other`,
      cooldown: 0,
      timeout: 5000,
      failureBackoff: 0,
    });
    await expect(
      keys.resolve({ alg: 'ES256', kid: 'key-1' }, { payload: '', signature: '' }),
    ).rejects.toBeInstanceOf(KeysUnavailable);
  });

  it('rate-limits refetches for unknown kids: a burst of forged kids during the cooldown causes one fetch, then 401s', async () => {
    const keys = createIssuerKeys({
      issuer: issuer.issuer,
      jwksUri: issuer.jwksUri,
      cooldown: 1000,
      timeout: 5000,
      failureBackoff: 0,
    });
    const verify = verifierFor({}, { keys });
    expect(await reason(verify(await issuer.sign()))).toBe('accepted');
    const before = issuer.fetches.jwks;
    const forged = await Promise.all(
      Array.from({ length: 20 }, async (_, index) =>
        issuer.sign({}, { key: await issuer.newKey(`forged-${index}`) }),
      ),
    );
    const reasons = await Promise.all(forged.map((token) => reason(verify(token))));
    expect(new Set(reasons)).toEqual(new Set(['unknown signing key']));
    expect(issuer.fetches.jwks - before).toBe(1);
  });

  it('a key the issuer publishes and signs with at once, inside the cooldown, is accepted after one refetch (no false 401)', async () => {
    const keys = createIssuerKeys({
      issuer: issuer.issuer,
      jwksUri: issuer.jwksUri,
      cooldown: 1000,
      timeout: 5000,
      failureBackoff: 0,
    });
    const verify = verifierFor({}, { keys });
    expect(await reason(verify(await issuer.sign()))).toBe('accepted');
    const before = issuer.fetches.jwks;
    const rotated = await issuer.rotate();
    const results = await Promise.all(
      Array.from({ length: 10 }, async () => reason(verify(await issuer.sign({}, { key: rotated })))),
    );
    expect(new Set(results)).toEqual(new Set(['accepted']));
    expect(issuer.fetches.jwks - before).toBe(1);
  });

  it('an unknown kid triggers one refetch after the cooldown, so a rotated key is found without restart', async () => {
    const keys = createIssuerKeys({
      issuer: issuer.issuer,
      jwksUri: issuer.jwksUri,
      cooldown: 0,
      timeout: 5000,
      failureBackoff: 0,
    });
    const verify = verifierFor({}, { keys });
    expect(await reason(verify(await issuer.sign()))).toBe('accepted');
    const before = issuer.fetches.jwks;
    const rotated = await issuer.rotate();
    expect(await reason(verify(await issuer.sign({}, { key: rotated })))).toBe('accepted');
    expect(issuer.fetches.jwks - before).toBe(1);
  });

  it('after a failed fetch, fetches nothing for failureBackoff and answers KeysUnavailable with Retry-After (injected clock)', async () => {
    let clock = 1_000_000;
    const keys = createIssuerKeys({
      issuer: issuer.issuer,
      jwksUri: issuer.jwksUri,
      cooldown: 0,
      timeout: 5000,
      failureBackoff: 10_000,
      now: () => clock,
    });
    const token = await issuer.sign();
    issuer.setFailing(true);
    try {
      const before = issuer.fetches.jwks;
      const verify = verifierFor({}, { keys });
      const first = await verify(token).catch((error: unknown) => error);
      expect(first).toBeInstanceOf(KeysUnavailable);
      expect(issuer.fetches.jwks - before).toBe(1);
      clock += 4_000;
      const second = await verify(token).catch((error: unknown) => error);
      expect(second).toBeInstanceOf(KeysUnavailable);
      expect((second as KeysUnavailable).retryAfter).toBe(6);
      expect(issuer.fetches.jwks - before).toBe(1);
      issuer.setFailing(false);
      clock += 6_001;
      expect(await reason(verify(token))).toBe('accepted');
      expect(issuer.fetches.jwks - before).toBe(2);
    } finally {
      issuer.setFailing(false);
    }
  });

  it('keeps serving cached keys while a background refresh fails', async () => {
    const keys = createIssuerKeys({
      issuer: issuer.issuer,
      jwksUri: issuer.jwksUri,
      cooldown: 0,
      timeout: 5000,
      failureBackoff: 0,
    });
    const verify = verifierFor({}, { keys });
    expect(await keys.refresh()).toBe(true);
    issuer.setFailing(true);
    try {
      expect(await keys.refresh()).toBe(false);
      expect(keys.hasKeys()).toBe(true);
      expect(await reason(verify(await issuer.sign()))).toBe('accepted');
    } finally {
      issuer.setFailing(false);
    }
  });
});
