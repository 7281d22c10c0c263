// The campus SSO leg: OIDC authorization code with PKCE (S256), state and nonce. The issuer is
// external, so it is reached directly (not through a service upstream); its discovery document is
// read once per gateway and a failed read is retried on the next login. The ID token it returns is
// verified by identity (/auth/sso, with the nonce), which turns it into Portico tokens.
import { createHash, randomBytes } from 'node:crypto';
import type { SsoOptions } from './schema.ts';

export interface LoginFlow {
  state: string;
  nonce: string;
  verifier: string;
  /** Where the SPA goes after login (a path on this origin). */
  returnTo: string;
}

interface Discovery {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
}

const random = () => randomBytes(32).toString('base64url');

export interface OidcClient {
  newFlow(returnTo: string): LoginFlow;
  authorizationUrl(flow: LoginFlow): Promise<string>;
  /** The ID token for an authorization code; throws with a reason when the issuer refuses. */
  exchangeCode(code: string, flow: LoginFlow): Promise<string>;
}

export function createOidcClient(sso: SsoOptions, timeoutMs = 10_000): OidcClient {
  let discovery: Promise<Discovery> | undefined;
  const discover = (): Promise<Discovery> =>
    (discovery ??= (async () => {
      const url = `${sso.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
      const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
      if (!response.ok) throw new Error(`OIDC discovery answered ${response.status}`);
      const document = (await response.json()) as Partial<Discovery>;
      if (document.issuer !== sso.issuer) throw new Error('OIDC discovery: issuer mismatch');
      if (!document.authorization_endpoint || !document.token_endpoint)
        throw new Error('OIDC discovery: no authorization or token endpoint');
      return document as Discovery;
    })().catch((error: unknown) => {
      discovery = undefined;
      throw error;
    }));

  return {
    newFlow: (returnTo) => ({ state: random(), nonce: random(), verifier: random(), returnTo }),

    async authorizationUrl(flow) {
      const url = new URL((await discover()).authorization_endpoint);
      url.search = new URLSearchParams({
        client_id: sso.clientId,
        response_type: 'code',
        scope: sso.scopes.join(' '),
        redirect_uri: sso.redirectUri,
        state: flow.state,
        nonce: flow.nonce,
        code_challenge: createHash('sha256').update(flow.verifier).digest('base64url'),
        code_challenge_method: 'S256',
      }).toString();
      return url.toString();
    },

    async exchangeCode(code, flow) {
      const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
      const form = new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        redirect_uri: sso.redirectUri,
        code_verifier: flow.verifier,
      });
      if (sso.clientSecret) {
        const basic = `${encodeURIComponent(sso.clientId)}:${encodeURIComponent(sso.clientSecret)}`;
        headers.authorization = `Basic ${Buffer.from(basic).toString('base64')}`;
      } else form.set('client_id', sso.clientId);
      const response = await fetch((await discover()).token_endpoint, {
        method: 'POST',
        headers,
        body: form,
        signal: AbortSignal.timeout(timeoutMs),
      });
      const body = (await response.json().catch(() => ({}))) as { id_token?: string; error?: string };
      if (!response.ok || typeof body.id_token !== 'string')
        throw new Error(`token endpoint answered ${response.status} ${body.error ?? ''}`.trim());
      return body.id_token;
    },
  };
}
