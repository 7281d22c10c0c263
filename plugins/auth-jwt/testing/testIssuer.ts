// A real token issuer for tests: ES256 keys made with jose, and a node:http server on an ephemeral
// port serving OIDC discovery and the JWKS, counting fetches. Its keys can be rotated mid-test, and
// the server can answer 503 or be stopped, to test an IdP outage.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';

export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

export interface TestIssuer {
  /** The issuer URL ("iss"), also the base of its discovery and JWKS URLs. */
  issuer: string;
  jwksUri: string;
  /** Requests received per path. */
  fetches: { discovery: number; jwks: number };
  /** Keys published in the JWKS, newest first; the first signs by default. */
  published: SigningKey[];
  newKey(kid?: string): Promise<SigningKey>;
  /** Publishes a new key and signs with it from now on; the old keys stay published unless `dropOld`. */
  rotate(options?: { dropOld?: boolean }): Promise<SigningKey>;
  /** A token with sensible valid claims, overridable; `header` overrides the protected header. */
  sign(
    claims?: JWTPayload,
    options?: { key?: SigningKey; header?: Record<string, unknown>; expiresIn?: string },
  ): Promise<string>;
  /** Makes the endpoints answer 503 (true) or serve again (false). */
  setFailing(failing: boolean): void;
  /** Closes the listener: connections are refused. */
  stop(): Promise<void>;
}

export async function startTestIssuer(options: { audience?: string } = {}): Promise<TestIssuer> {
  const audience = options.audience ?? 'portico';
  let failing = false;
  let keyCount = 0;
  const fetches = { discovery: 0, jwks: 0 };
  const server = http.createServer((req, res) => {
    const path = req.url?.split('?')[0];
    if (path === '/.well-known/openid-configuration') fetches.discovery++;
    else if (path === '/.well-known/jwks.json') fetches.jwks++;
    if (failing) {
      res.writeHead(503).end();
      return;
    }
    res.setHeader('content-type', 'application/json');
    if (path === '/.well-known/openid-configuration') {
      res.end(
        JSON.stringify({
          issuer: issuer.issuer,
          jwks_uri: issuer.jwksUri,
          id_token_signing_alg_values_supported: ['ES256'],
        }),
      );
    } else if (path === '/.well-known/jwks.json') {
      res.end(JSON.stringify({ keys: issuer.published.map((key) => key.publicJwk) }));
    } else {
      res.writeHead(404).end('{}');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const base = `http://127.0.0.1:${port}`;

  const issuer: TestIssuer = {
    issuer: base,
    jwksUri: `${base}/.well-known/jwks.json`,
    fetches,
    published: [],
    async newKey(kid) {
      const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
      const id = kid ?? `key-${++keyCount}`;
      return {
        kid: id,
        privateKey,
        publicJwk: { ...(await exportJWK(publicKey)), kid: id, alg: 'ES256', use: 'sig' },
      };
    },
    async rotate({ dropOld = false } = {}) {
      const key = await issuer.newKey();
      issuer.published = dropOld ? [key] : [key, ...issuer.published];
      return key;
    },
    async sign(claims = {}, { key = issuer.published[0]!, header = {}, expiresIn = '5m' } = {}) {
      return new SignJWT({ sub: 'user-1', roles: ['student'], ...claims })
        .setProtectedHeader({ alg: 'ES256', kid: key.kid, typ: 'at+jwt', ...header })
        .setIssuer(typeof claims.iss === 'string' ? claims.iss : base)
        .setAudience(claims.aud ?? audience)
        .setIssuedAt(typeof claims.iat === 'number' ? claims.iat : undefined)
        .setExpirationTime(typeof claims.exp === 'number' ? claims.exp : expiresIn)
        .sign(key.privateKey);
    },
    setFailing(value) {
      failing = value;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  await issuer.rotate();
  return issuer;
}
