// The BFF's exchanges with identity that need no session: password login, SSO token exchange,
// refresh (with identity's rotation) and revocation. Tokens stay in the BFF; only the session's
// user (id, roles, name) ever reaches the browser.
import Boom from '@hapi/boom';
import type { Request } from '@hapi/hapi';
import { decodeJwt } from 'jose';
import type { GatewayContext } from '../../contracts/plugin.ts';
import type { UpstreamClient } from '../../contracts/upstream.ts';
import type { RefreshOutcome, SessionUser, TokenSet } from './sessions.ts';

interface TokenResponse {
  access_token: string;
  refresh_token: string;
  expires_in: number;
}

const toTokenSet = (body: TokenResponse): TokenSet => ({
  accessToken: body.access_token,
  refreshToken: body.refresh_token,
  expiresInSeconds: body.expires_in,
});

const isTokenResponse = (body: unknown): body is TokenResponse =>
  typeof body === 'object' &&
  body !== null &&
  typeof (body as TokenResponse).access_token === 'string' &&
  typeof (body as TokenResponse).refresh_token === 'string' &&
  typeof (body as TokenResponse).expires_in === 'number';

export interface IdentityCalls {
  /** Tokens and the user for an email and password; 401 when identity refuses them. */
  login(request: Request, email: string, password: string): Promise<{ user: SessionUser; tokens: TokenSet }>;
  sso(request: Request, idToken: string, nonce: string): Promise<{ user: SessionUser; tokens: TokenSet }>;
  refresh(request: Request, refreshToken: string): Promise<RefreshOutcome>;
  /** Revokes the refresh token's family at identity (204 whether or not it existed). */
  revoke(request: Request, refreshToken: string): Promise<void>;
}

export function identityCalls(gateway: GatewayContext, client: UpstreamClient): IdentityCalls {
  const post = (request: Request, path: string, json: unknown) => {
    const { caller, requestId, signal, trace } = gateway.exchangeContext(request);
    // The user is not known yet (login) or not the point (refresh): only the client's address goes along.
    return client.json<unknown>({
      method: 'POST',
      path,
      json,
      caller: { ip: caller.ip },
      requestId,
      trace,
      signal,
    });
  };

  async function userOf(request: Request, tokens: TokenSet): Promise<SessionUser> {
    const claims = decodeJwt(tokens.accessToken);
    const roles = Array.isArray(claims.roles) ? claims.roles.filter((role) => typeof role === 'string') : [];
    const { caller, requestId, signal, trace } = gateway.exchangeContext(request);
    const me = await client.json<{ name?: string | null }>({
      method: 'GET',
      path: '/auth/me',
      headers: { authorization: `Bearer ${tokens.accessToken}` },
      caller: { ip: caller.ip },
      requestId,
      trace,
      signal,
    });
    const user: SessionUser = { id: String(claims.sub), roles };
    if (me.status === 200 && typeof me.data.name === 'string') user.name = me.data.name;
    return user;
  }

  async function tokensFrom(request: Request, reply: { status: number; data: unknown }, refused: string) {
    if (reply.status === 200 && isTokenResponse(reply.data)) {
      const tokens = toTokenSet(reply.data);
      return { user: await userOf(request, tokens), tokens };
    }
    if (reply.status === 429) throw Boom.tooManyRequests('Too many failed logins. Try again later.');
    if (reply.status === 400 || reply.status === 401) throw Boom.unauthorized(refused);
    if (reply.status === 409) throw Boom.conflict('An account with this email exists; it cannot be linked.');
    throw Boom.badGateway(`identity answered ${reply.status}`);
  }

  return {
    async login(request, email, password) {
      return tokensFrom(
        request,
        await post(request, '/auth/login', { email, password }),
        'The email or password is wrong.',
      );
    },
    async sso(request, idToken, nonce) {
      return tokensFrom(
        request,
        await post(request, '/auth/sso', { id_token: idToken, nonce }),
        'The campus sign-in was not accepted.',
      );
    },
    async refresh(request, refreshToken) {
      try {
        const reply = await post(request, '/auth/refresh', { refresh_token: refreshToken });
        if (reply.status === 200 && isTokenResponse(reply.data))
          return { kind: 'tokens', tokens: toTokenSet(reply.data) };
        if (reply.status === 400 || reply.status === 401) return { kind: 'refused' };
        return { kind: 'unavailable' };
      } catch {
        return { kind: 'unavailable' };
      }
    },
    async revoke(request, refreshToken) {
      const reply = await post(request, '/auth/logout', { refresh_token: refreshToken });
      if (reply.status !== 204) throw Boom.badGateway(`identity answered ${reply.status} to the revocation`);
    },
  };
}
