// The login / refresh / sso answer (RFC 6749 section 5.1 field names).
import type { IdentityContext } from '../identityContext.ts';
import type { User } from '../users/userStore.ts';
import { issueAccessToken } from './accessTokens.ts';

export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  refresh_token: string;
}

export async function tokenResponse(
  ctx: IdentityContext,
  user: User,
  refreshToken: string,
): Promise<TokenResponse> {
  const accessToken = await issueAccessToken(
    ctx.keys,
    { issuer: ctx.issuer(), audience: ctx.config.audience, ttlSeconds: ctx.config.accessTokenTtl },
    user,
  );
  return {
    access_token: accessToken,
    token_type: 'Bearer',
    expires_in: ctx.config.accessTokenTtl,
    refresh_token: refreshToken,
  };
}
