// POST {prefix}/login, GET {prefix}/login/sso, GET {prefix}/callback, GET {prefix}/session,
// POST {prefix}/logout: the token handler. The browser gets a session cookie and who it is; the
// tokens stay in the session store.
import { randomBytes } from 'node:crypto';
import Boom from '@hapi/boom';
import type { Request, ResponseToolkit } from '@hapi/hapi';
import { z } from 'zod';
import type { HandlerRoute } from '../../../contracts/plugin.ts';
import { clearedCookie, flowCookieName, loginFlowCookie, readCookie, sessionCookie } from '../cookies.ts';
import type { LoginFlow } from '../oidcClient.ts';
import { storeKeyOf, type ActiveSession } from '../sessions.ts';
import { expiryOf, type WebBff } from '../webBff.ts';

const LoginBody = z.object({ email: z.string().min(1).max(254), password: z.string().min(1).max(1024) });

const sessionView = (session: ActiveSession) => ({
  authenticated: true as const,
  user: session.record.user,
  expiresAt: new Date(expiryOf(session)).toISOString(),
  absoluteExpiresAt: new Date(session.record.absoluteExpiresAt).toISOString(),
});

export function sessionRoutes(bff: WebBff): HandlerRoute[] {
  const { options, sessions, identity, oidc, store, cipher, gateway } = bff;
  const { prefix, cookieName } = options;
  const flowCookie = flowCookieName(cookieName);
  const ssoInfo = options.sso ? { label: options.sso.label, start: `${prefix}/login/sso` } : null;
  const log = (request: Request) => gateway.requestLogger(request).child({ plugin: 'web-bff' });

  /** A new session replaces whatever session the browser had (no fixation). */
  async function startSession(
    request: Request,
    h: ResponseToolkit,
    login: Awaited<ReturnType<typeof identity.login>>,
  ) {
    const session = await bff.withStore(request, async () => {
      await sessions.end(bff.sessionIdOf(request));
      return sessions.create(login.user, login.tokens);
    });
    log(request).info({ event: 'web_login', userId: login.user.id }, 'web session started');
    return { session, cookie: sessionCookie(cookieName, session.id) };
  }

  const routes: HandlerRoute[] = [
    {
      id: 'web.login',
      method: 'POST',
      path: `${prefix}/login`,
      auth: 'none',
      body: { mode: 'buffer', maxBytes: 16 * 1024, parse: true },
      async handler(request, h) {
        const parsed = LoginBody.safeParse(request.payload);
        if (!parsed.success) throw Boom.badRequest('Send {"email", "password"} as JSON.');
        const login = await identity.login(request, parsed.data.email, parsed.data.password);
        const { session, cookie } = await startSession(request, h, login);
        return h.response(sessionView(session)).header('set-cookie', cookie);
      },
    },
    {
      id: 'web.session',
      method: 'GET',
      path: `${prefix}/session`,
      auth: 'none',
      async handler(request, h) {
        try {
          return sessionView(await bff.requireSession(request));
        } catch (error) {
          if (!Boom.isBoom(error) || error.output.statusCode !== 401) throw error;
          const response = h.response({ authenticated: false, sso: ssoInfo });
          const cleared = error.output.headers['Set-Cookie'];
          return typeof cleared === 'string' ? response.header('set-cookie', cleared) : response;
        }
      },
    },
    {
      id: 'web.logout',
      method: 'POST',
      path: `${prefix}/logout`,
      auth: 'none',
      async handler(request, h) {
        const ended = await bff.withStore(request, () => sessions.end(bff.sessionIdOf(request)));
        if (ended) {
          try {
            await identity.revoke(request, ended.refreshToken);
          } catch (error) {
            // The session is gone from the store, so nobody holds the token any more; say so in the log.
            log(request).warn(
              { event: 'web_logout_revoke_failed', err: (error as Error).message },
              'revocation failed',
            );
          }
          log(request).info({ event: 'web_logout', userId: ended.user.id }, 'web session ended');
        }
        return h.response().code(204).header('set-cookie', clearedCookie(cookieName));
      },
    },
  ];

  if (oidc) {
    const flowTtl = options.session.loginFlowTimeout;
    const flowKey = (flowId: string) => `f:${storeKeyOf(flowId)}`;
    const failed = (h: ResponseToolkit, reason: string) =>
      h
        .redirect(`${options.appPath}?sso=failed&reason=${encodeURIComponent(reason)}`)
        .header('set-cookie', clearedCookie(flowCookie, 'Lax'));
    routes.push(
      {
        id: 'web.sso.start',
        method: 'GET',
        path: `${prefix}/login/sso`,
        auth: 'none',
        async handler(request, h) {
          const flow = oidc.newFlow(options.appPath);
          const flowId = randomBytes(32).toString('base64url');
          await bff.withStore(request, () =>
            store.set(flowKey(flowId), cipher.seal(JSON.stringify(flow), flowId), flowTtl),
          );
          return h
            .redirect(await oidc.authorizationUrl(flow))
            .header('set-cookie', loginFlowCookie(flowCookie, flowId, Math.ceil(flowTtl / 1000)));
        },
      },
      {
        id: 'web.sso.callback',
        method: 'GET',
        path: `${prefix}/callback`,
        auth: 'none',
        async handler(request, h) {
          const flowId = readCookie(request.headers.cookie as string | undefined, flowCookie);
          const query = request.query as Record<string, string | undefined>;
          // The flow is used once, whatever happens next.
          const sealed =
            flowId && /^[A-Za-z0-9_-]{43}$/.test(flowId)
              ? await bff.withStore(request, () => store.take(flowKey(flowId)))
              : undefined;
          const plain = sealed && flowId ? cipher.open(sealed, flowId) : undefined;
          if (!plain) return failed(h, 'expired');
          const flow = JSON.parse(plain) as LoginFlow;
          if (typeof query.state !== 'string' || query.state !== flow.state) return failed(h, 'state');
          if (typeof query.code !== 'string')
            return failed(h, query.error === 'access_denied' ? 'denied' : 'no-code');
          let idToken: string;
          try {
            idToken = await oidc.exchangeCode(query.code, flow);
          } catch (error) {
            log(request).warn(
              { event: 'web_sso_code_refused', err: (error as Error).message },
              'code exchange failed',
            );
            return failed(h, 'issuer');
          }
          let login;
          try {
            login = await identity.sso(request, idToken, flow.nonce);
          } catch (error) {
            log(request).info(
              { event: 'web_sso_refused', err: (error as Error).message },
              'identity refused the ID token',
            );
            return failed(h, 'identity');
          }
          const { cookie } = await startSession(request, h, login);
          return h
            .redirect(flow.returnTo)
            .header('set-cookie', cookie)
            .header('set-cookie', clearedCookie(flowCookie, 'Lax'), { append: true });
        },
      },
    );
  }
  return routes;
}
