// Every admin route asks for the admin token unless it is one of the read-only probe routes that
// declared itself open (`options.app.adminOpen`, GET only). Default-deny, applied to the whole
// admin server: routes plugins add with `addAdminRoutes` are covered without knowing about it.
// Decided once per route when it is added; a request only looks its route up.
import type { Request, RequestRoute, ResponseToolkit, Server } from '@hapi/hapi';
import { problem, PROBLEM_CONTENT_TYPE } from '../../contracts/problem.ts';
import { presentsToken, TOKEN_ENV, type AdminToken } from './adminToken.ts';

/** Route options of a read-only admin route that probes and dashboards may call without the token. */
export const OPEN_ADMIN_ROUTE = { app: { adminOpen: true } } as const;

export interface AdminRequestState {
  /** Set once the request presented the admin token. */
  adminAuthorized?: boolean;
}

export const NO_TOKEN_DETAIL =
  `no admin token is configured, so state-changing admin routes are refused: set ${TOKEN_ENV} or ` +
  'server.admin.tokenFile (a file holding a token of at least 16 characters); `portico dev` generates one';

export function requireAdminToken(server: Server, token: AdminToken): void {
  const open = new WeakSet<RequestRoute>();
  server.events.on('route', (route) => {
    const app = route.settings.app as { adminOpen?: boolean } | undefined;
    if (app?.adminOpen === true && route.method === 'get') open.add(route);
  });

  server.ext('onPreAuth', (request: Request, h: ResponseToolkit) => {
    if (open.has(request.route)) return h.continue;
    if (!token.digest) return refuse(h, 503, 'Service Unavailable', NO_TOKEN_DETAIL);
    if (!presentsToken(token, request.headers.authorization as string | undefined))
      return refuse(
        h,
        401,
        'Unauthorized',
        'this admin route needs the admin token: Authorization: Bearer <token>',
      ).header('www-authenticate', 'Bearer realm="portico-admin"');
    (request.app as AdminRequestState).adminAuthorized = true;
    return h.continue;
  });
}

function refuse(h: ResponseToolkit, status: number, title: string, detail: string) {
  return h
    .response(problem(status, title, detail))
    .code(status)
    .type(PROBLEM_CONTENT_TYPE)
    .takeover();
}
