// The hapi auth scheme: `Authorization: Bearer <jwt>` checked with a TokenVerifier.
// Routes choose `auth: 'bearer'` (required) or `{ strategy: 'bearer', mode: 'optional' }`.
import Boom from '@hapi/boom';
import type { Server } from '@hapi/hapi';
import type { TokenVerifier } from './tokenVerifier.ts';

export const BEARER_STRATEGY = 'bearer';

export function registerBearerAuth(server: Server, verify: TokenVerifier): void {
  server.auth.scheme('portico-bearer', () => ({
    async authenticate(request, h) {
      const header: unknown = request.headers.authorization;
      if (typeof header !== 'string' || header === '') throw Boom.unauthorized(null, 'Bearer');
      const match = /^Bearer\s+([A-Za-z0-9._~+/-]+=*)$/i.exec(header);
      if (!match?.[1]) {
        throw Boom.unauthorized('The Authorization header must be "Bearer <token>".', 'Bearer', {
          error: 'invalid_request',
        });
      }
      try {
        const principal = await verify(match[1]);
        // Roles double as hapi scopes, so a route can refuse a role before reading its payload.
        return h.authenticated({ credentials: { principal, scope: principal.roles } });
      } catch {
        throw Boom.unauthorized('The access token is invalid or expired.', 'Bearer', {
          error: 'invalid_token',
        });
      }
    },
  }));
  server.auth.strategy(BEARER_STRATEGY, 'portico-bearer');
}
