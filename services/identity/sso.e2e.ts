// /auth/sso against a real external OIDC issuer (oidc-provider), with a real authorization
// code flow (PKCE) to obtain the ID token the campus portal would hand to the app.
import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { decodeJwt } from 'jose';
import Provider from 'oidc-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractClients, startTestServices } from '../testing/index.ts';
import type { ContractClient, TestServices } from '../testing/index.ts';

const CLIENT = {
  client_id: 'portico-mobile',
  client_secret: 'portal-client-secret-for-tests',
  redirect_uri: 'http://127.0.0.1/callback',
};

interface PortalAccount {
  email: string;
  email_verified: boolean;
  name: string;
}

let portal: Server;
let issuer: string;
const accounts = new Map<string, PortalAccount>();
let services: TestServices;
let identity: ContractClient;

async function startPortal(): Promise<void> {
  portal = createServer();
  await new Promise<void>((resolve) => portal.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(portal.address() as { port: number }).port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: CLIENT.client_id,
        client_secret: CLIENT.client_secret,
        redirect_uris: [CLIENT.redirect_uri],
        response_types: ['code'],
        grant_types: ['authorization_code'],
      },
    ],
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    // Put the claims in the ID token itself, as the campus portal does.
    conformIdTokenClaims: false,
    async findAccount(_ctx, sub) {
      const account = accounts.get(sub);
      if (!account) return undefined;
      return { accountId: sub, claims: async () => ({ sub, ...account }) };
    },
  });
  portal.on('request', provider.callback());
}

/** Runs the code flow through oidc-provider's development login/consent pages. */
async function idTokenFor(sub: string, nonce = randomBytes(8).toString('hex')): Promise<string> {
  const cookies = new Map<string, string>();
  const send = async (url: string, init: RequestInit = {}) => {
    const response = await fetch(new URL(url, issuer), {
      ...init,
      redirect: 'manual',
      headers: {
        ...(init.headers as Record<string, string>),
        cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; '),
      },
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const [name, ...value] = (pair as string).split('=');
      cookies.set(name as string, value.join('='));
    }
    return response;
  };
  const verifier = randomBytes(32).toString('base64url');
  const authorize = new URL('/auth', issuer);
  authorize.search = new URLSearchParams({
    client_id: CLIENT.client_id,
    response_type: 'code',
    scope: 'openid email profile',
    redirect_uri: CLIENT.redirect_uri,
    nonce,
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  }).toString();

  let location = (await send(authorize.toString())).headers.get('location') as string;
  // login, then consent, each an interaction that redirects back to the authorization endpoint
  for (const prompt of ['login', 'consent']) {
    const submit = await send(location, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ prompt, login: sub, password: 'any' }).toString(),
    });
    location = (await send(submit.headers.get('location') as string)).headers.get('location') as string;
  }
  const code = new URL(location).searchParams.get('code');
  if (!code) throw new Error(`no code in ${location}`);
  const token = await fetch(new URL('/token', issuer), {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${CLIENT.client_id}:${CLIENT.client_secret}`).toString('base64')}`,
    },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: CLIENT.redirect_uri,
      code_verifier: verifier,
    }),
  });
  const tokens = (await token.json()) as { id_token?: string };
  if (!tokens.id_token) throw new Error(`no id_token: ${JSON.stringify(tokens)}`);
  return tokens.id_token;
}

beforeAll(async () => {
  await startPortal();
  services = await startTestServices({
    env: { IDENTITY_SSO_ISSUER: issuer, IDENTITY_SSO_AUDIENCE: CLIENT.client_id },
  });
  identity = (await contractClients(services.urls)).identity;
});
afterAll(async () => {
  await services?.stop();
  portal?.closeAllConnections();
  await new Promise((resolve) => portal?.close(resolve));
});

describe('POST /auth/sso', () => {
  it('creates a Portico user on first sign-in and finds the same one afterwards', async () => {
    accounts.set('portal-1001', {
      email: 'jordan@campus.example.edu',
      email_verified: true,
      name: 'Jordan Lee',
    });
    const idToken = await idTokenFor('portal-1001');
    expect(decodeJwt(idToken)).toMatchObject({ iss: issuer, email: 'jordan@campus.example.edu' });

    const first = await identity.request('POST', '/auth/sso', { json: { id_token: idToken } });
    expect(first.status).toBe(200);
    const me = await identity.request('GET', '/auth/me', { token: first.body.access_token });
    expect(me.body).toMatchObject({
      email: 'jordan@campus.example.edu',
      name: 'Jordan Lee',
      roles: ['student'],
    });

    const again = await identity.request('POST', '/auth/sso', {
      json: { id_token: await idTokenFor('portal-1001') },
    });
    expect(decodeJwt(again.body.access_token).sub).toBe(me.body.id);
    // The refresh token it issues rotates like any other.
    expect(
      (await identity.request('POST', '/auth/refresh', { json: { refresh_token: again.body.refresh_token } }))
        .status,
    ).toBe(200);
  });

  it('links to an existing account when the portal has verified the email', async () => {
    const existing = await services.createUser('staff');
    accounts.set('portal-2002', { email: existing.email, email_verified: true, name: 'Staff Member' });
    const response = await identity.request('POST', '/auth/sso', {
      json: { id_token: await idTokenFor('portal-2002') },
    });
    expect(response.status).toBe(200);
    expect(decodeJwt(response.body.access_token)).toMatchObject({ sub: existing.id, roles: ['staff'] });
  });

  it('refuses to link on an unverified email', async () => {
    const existing = await services.createUser('student');
    accounts.set('portal-3003', { email: existing.email, email_verified: false, name: 'Someone' });
    const response = await identity.request('POST', '/auth/sso', {
      json: { id_token: await idTokenFor('portal-3003') },
    });
    expect(response.status).toBe(409);
  });

  it('rejects a tampered ID token, a wrong nonce, and a Portico token posing as one', async () => {
    accounts.set('portal-4004', { email: 'sam@campus.example.edu', email_verified: true, name: 'Sam' });
    const idToken = await idTokenFor('portal-4004', 'nonce-1');
    const tampered = await identity.request('POST', '/auth/sso', {
      json: { id_token: `${idToken.slice(0, -3)}abc` },
    });
    expect(tampered.status).toBe(401);
    const wrongNonce = await identity.request('POST', '/auth/sso', {
      json: { id_token: idToken, nonce: 'nonce-2' },
    });
    expect(wrongNonce.status).toBe(401);
    const ours = await services.createUser('student');
    expect(
      (await identity.request('POST', '/auth/sso', { json: { id_token: ours.accessToken } })).status,
    ).toBe(401);
    expect(
      (await identity.request('POST', '/auth/sso', { json: { id_token: idToken, nonce: 'nonce-1' } })).status,
    ).toBe(200);
  });
});
