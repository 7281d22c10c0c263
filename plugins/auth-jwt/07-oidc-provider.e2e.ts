// A real third-party OpenID Provider (the oidc-provider package) as a second issuer beside
// Portico's own: its JWT access tokens (client credentials, RFC 9068) for our audience pass,
// its tokens for another audience do not. Keys come by OIDC discovery, as from Keycloak or Auth0.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestIssuer, type TestIssuer } from './testing/testIssuer.ts';
import { startTestGateway, startUpstream, type TestGateway, type TestUpstream } from '../../testing/index.ts';

const API = 'https://api.portico.test';
const CLIENT = { id: 'partner-app', secret: 'a-client-secret-long-enough-for-oidc-provider' };

let opServer: http.Server;
let opIssuer: string;
let identity: TestIssuer;
let upstream: TestUpstream;
let gateway: TestGateway;

async function startProvider(): Promise<void> {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  opServer = http.createServer();
  await new Promise<void>((resolve) => opServer.listen(0, '127.0.0.1', resolve));
  opIssuer = `http://127.0.0.1:${(opServer.address() as AddressInfo).port}`;
  const provider = new Provider(opIssuer, {
    jwks: { keys: [{ ...(await exportJWK(privateKey)), kid: 'op-key-1', alg: 'ES256', use: 'sig' }] },
    clients: [
      {
        client_id: CLIENT.id,
        client_secret: CLIENT.secret,
        grant_types: ['client_credentials'],
        redirect_uris: [],
        response_types: [],
        id_token_signed_response_alg: 'ES256',
      },
    ],
    scopes: ['appointments:read', 'programs:read'],
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      // Resource indicators make the access token a JWT for the named audience (RFC 8707, RFC 9068).
      resourceIndicators: {
        enabled: true,
        defaultResource: () => API,
        getResourceServerInfo: (_context: unknown, resource: string) => ({
          scope: 'appointments:read programs:read',
          audience: resource,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: 'ES256' } },
        }),
      },
    },
  });
  opServer.on('request', provider.callback());
}

async function clientCredentialsToken(resource: string, scope: string): Promise<string> {
  const response = await fetch(`${opIssuer}/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${CLIENT.id}:${CLIENT.secret}`).toString('base64')}`,
    },
    body: new URLSearchParams({ grant_type: 'client_credentials', resource, scope }),
  });
  const body = (await response.json()) as { access_token?: string; error?: string };
  if (!body.access_token) throw new Error(`oidc-provider issued no token: ${JSON.stringify(body)}`);
  return body.access_token;
}

beforeAll(async () => {
  [identity, upstream] = await Promise.all([startTestIssuer(), startUpstream(), startProvider()]);
  gateway = await startTestGateway({
    upstreams: { api: { url: upstream.url, health: false } },
    plugins: [
      {
        name: 'auth-jwt',
        options: {
          issuers: [
            { issuer: identity.issuer, audiences: ['portico'], jwksUri: identity.jwksUri },
            { issuer: opIssuer, audiences: [API], typ: 'at+jwt', algorithms: ['ES256'] },
          ],
        },
      },
    ],
    routes: [
      {
        path: '/partner/{rest*}',
        upstream: 'api',
        auth: 'required',
        plugins: { 'auth-jwt': { scopes: ['appointments:read'] } },
      },
      {
        path: '/identity-only/{rest*}',
        upstream: 'api',
        auth: 'required',
        plugins: { 'auth-jwt': { issuers: [identity.issuer] } },
      },
    ],
  });
});
afterAll(async () => {
  await gateway?.stop();
  await Promise.all([
    identity?.stop(),
    upstream?.close(),
    new Promise<void>((resolve) => {
      opServer?.closeAllConnections();
      opServer?.close(() => resolve());
    }),
  ]);
});

async function get(path: string, token: string) {
  const before = upstream.seen.length;
  const response = await fetch(`${gateway.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
  const body = (await response.json()) as Record<string, unknown>;
  return { status: response.status, body, forwarded: upstream.seen.length - before };
}

describe('auth-jwt with oidc-provider as a second issuer', () => {
  it("accepts the provider's JWT access token for our audience, identifying the client", async () => {
    const token = await clientCredentialsToken(API, 'appointments:read');
    const response = await get('/partner/x', token);
    expect(response.status).toBe(200);
    expect(response.forwarded).toBe(1);
    const seen = upstream.seen.at(-1)!.headers;
    expect(seen['x-user-id']).toBe(CLIENT.id);
    expect(seen['x-user-issuer']).toBe(opIssuer);
    expect(seen['x-user-scopes']).toBe('appointments:read');
  });

  it("refuses the provider's token for another audience with 401, nothing forwarded", async () => {
    const token = await clientCredentialsToken('https://other-api.example', 'appointments:read');
    const response = await get('/partner/x', token);
    expect(response.status).toBe(401);
    expect(response.body.detail).toBe('invalid "aud" claim');
    expect(response.forwarded).toBe(0);
  });

  it('applies route scopes to its tokens: 403 naming the missing scope', async () => {
    const token = await clientCredentialsToken(API, 'programs:read');
    const response = await get('/partner/x', token);
    expect(response.status).toBe(403);
    expect(response.body.detail).toBe('missing scope: appointments:read');
    expect(response.forwarded).toBe(0);
  });

  it('keeps both issuers apart: a route limited to Portico identity refuses the provider, accepts identity', async () => {
    const partner = await get('/identity-only/x', await clientCredentialsToken(API, 'appointments:read'));
    expect(partner.status).toBe(401);
    const own = await get('/identity-only/x', await identity.sign());
    expect(own.status).toBe(200);
  });
});
