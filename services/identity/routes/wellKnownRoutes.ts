// OIDC discovery (the parts that apply: Portico issues tokens but runs no authorization
// endpoint) and the JWKS the gateway and the services verify access tokens with.
import type { ServerRoute } from '@hapi/hapi';
import type { IdentityContext } from '../identityContext.ts';

export function wellKnownRoutes(ctx: IdentityContext): ServerRoute[] {
  return [
    {
      method: 'GET',
      path: '/.well-known/openid-configuration',
      options: { auth: false },
      handler(_request, h) {
        const issuer = ctx.issuer();
        return h
          .response({
            issuer,
            jwks_uri: `${issuer}/.well-known/jwks.json`,
            token_endpoint: `${issuer}/auth/login`,
            userinfo_endpoint: `${issuer}/auth/me`,
            response_types_supported: ['token'],
            grant_types_supported: ['password', 'refresh_token'],
            subject_types_supported: ['public'],
            id_token_signing_alg_values_supported: ['ES256'],
            token_endpoint_auth_methods_supported: ['none'],
            claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'jti', 'email', 'roles'],
          })
          .header('cache-control', 'public, max-age=300');
      },
    },
    {
      method: 'GET',
      path: '/.well-known/jwks.json',
      options: { auth: false },
      async handler(_request, h) {
        // Short max-age: a rotated key must reach verifiers well within a token's lifetime.
        return h.response(await ctx.keys.jwks()).header('cache-control', 'public, max-age=60');
      },
    },
  ];
}
