// What every BFF route builder gets: the gateway context, the options, the session manager and
// the session guard. Built once in register; no module-level state.
import Boom from '@hapi/boom';
import type { Request } from '@hapi/hapi';
import type { GatewayContext } from '../../contracts/plugin.ts';
import { clearedCookie, readCookie } from './cookies.ts';
import type { IdentityCalls } from './identityCalls.ts';
import type { OidcClient } from './oidcClient.ts';
import type { WebBffOptions } from './schema.ts';
import type { SessionCipher } from './sessionCipher.ts';
import type { ActiveSession, SessionManager } from './sessions.ts';
import type { SessionStore } from './stores/types.ts';

export interface WebBff {
  gateway: GatewayContext;
  options: WebBffOptions;
  store: SessionStore;
  cipher: SessionCipher;
  sessions: SessionManager;
  identity: IdentityCalls;
  oidc: OidcClient | undefined;
  /** The request's session cookie value, if any. */
  sessionIdOf(request: Request): string | undefined;
  /** The live session (refreshed when due); 401 without one, 403 without one of `roles`. */
  requireSession(request: Request, ...roles: string[]): Promise<ActiveSession>;
  /** Runs a session-store step; a failing store is a 503 (fail closed: no session without the store). */
  withStore<T>(request: Request, step: () => Promise<T>): Promise<T>;
}

export function createWebBff(parts: Omit<WebBff, 'sessionIdOf' | 'requireSession' | 'withStore'>): WebBff {
  const { options, sessions, identity, gateway } = parts;
  const sessionIdOf = (request: Request) =>
    readCookie(request.headers.cookie as string | undefined, options.cookieName);
  async function withStore<T>(request: Request, step: () => Promise<T>): Promise<T> {
    try {
      return await step();
    } catch (error) {
      if (Boom.isBoom(error)) throw error;
      gateway
        .requestLogger(request)
        .error({ event: 'web_session_store_error', err: (error as Error).message }, 'session store failed');
      const unavailable = Boom.serverUnavailable('Sessions are unavailable right now; try again shortly.');
      unavailable.output.headers['Retry-After'] = '5';
      throw unavailable;
    }
  }
  return {
    ...parts,
    sessionIdOf,
    withStore,
    async requireSession(request, ...roles) {
      const id = sessionIdOf(request);
      const session = await withStore(request, () =>
        sessions.resume(id, (token) => identity.refresh(request, token)),
      );
      if (!session) {
        const error = Boom.unauthorized('Sign in first.');
        // A cookie naming an ended session is cleared, so the browser stops sending it.
        if (id !== undefined) error.output.headers['Set-Cookie'] = clearedCookie(options.cookieName);
        throw error;
      }
      if (roles.length > 0 && !session.record.user.roles.some((role) => roles.includes(role)))
        throw Boom.forbidden(`This needs one of the roles: ${roles.join(', ')}.`);
      return session;
    },
  };
}

/** When a session ends if nothing else happens: at its idle or its absolute limit, whichever is first. */
export function expiryOf(session: ActiveSession): number {
  return Math.min(session.idleExpiresAt, session.record.absoluteExpiresAt);
}
