// The web BFF (issue 14): a token handler for the SPA. Password and campus-SSO login through
// identity, an HttpOnly `__Host-` session cookie, tokens sealed in a session store (memory, or
// Redis when the gateway has one) and refreshed server-side, CSRF defence on every state-changing
// route under the prefix (one onPreAuth step, so no route can forget it), the screens' views and
// the SPA. Wiring only: the logic lives in the files it imports.
import { randomBytes } from 'node:crypto';
import Boom from '@hapi/boom';
import { definePlugin } from '../../contracts/plugin.ts';
import { pluginMetrics } from '../../contracts/pluginMetrics.ts';
import { bundleApp } from './appBundle.ts';
import { changesState, csrfRefusal } from './csrf.ts';
import { identityCalls } from './identityCalls.ts';
import { createOidcClient } from './oidcClient.ts';
import { appRoutes } from './routes/appRoutes.ts';
import { sessionRoutes } from './routes/sessionRoutes.ts';
import { viewRoutes } from './routes/viewRoutes.ts';
import { webBffOptions } from './schema.ts';
import { createSessionCipher } from './sessionCipher.ts';
import { createSessionManager } from './sessions.ts';
import { memoryStore } from './stores/memory.ts';
import { redisStore } from './stores/redis.ts';
import { createWebBff } from './webBff.ts';

export const PLUGIN_NAME = 'web-bff';

export default definePlugin({
  name: PLUGIN_NAME,
  version: '1.0.0',
  // Just above auth-jwt (1450): its onPreAuth check runs before rate limits and auth.
  priority: 1460,
  phases: ['onPreAuth', 'handler'],
  options: webBffOptions,
  validate(options, config) {
    return Object.entries(options.upstreams)
      .filter(([, name]) => !config.upstreams.includes(name))
      .map(([role, name]) => ({
        path: `${config.pluginPath}.options.upstreams.${role}`,
        message: `no upstream named "${name}"`,
      }));
  },
  async register(server, options) {
    const gateway = server.portico;
    const log = gateway.logger.child({ plugin: PLUGIN_NAME });
    const metrics = pluginMetrics(gateway.metrics, PLUGIN_NAME);

    // 1. Session keys: configured ones (the first seals), else one random key per gateway runtime.
    if (gateway.redis && options.encryptionKeys.length === 0)
      throw new Error(
        'web-bff: options.encryptionKeys: sessions in Redis need a configured key, so every instance can read them',
      );
    const keys =
      options.encryptionKeys.length > 0
        ? options.encryptionKeys.map(({ id, key }) => ({ id, key: Buffer.from(key, 'base64') }))
        : [gateway.keep(`${PLUGIN_NAME}:ephemeral-key`, () => ({ id: 'ephemeral', key: randomBytes(32) }))];
    if (options.encryptionKeys.length === 0)
      log.warn(
        { event: 'web_bff_ephemeral_key' },
        'no session encryption key configured: sessions end when the gateway stops',
      );
    const cipher = createSessionCipher(keys);

    // 2. The store: Redis when the gateway has one (any instance serves any session), else memory.
    const store = gateway.redis
      ? redisStore(gateway.redis, options.keyPrefix)
      : gateway.keep(`${PLUGIN_NAME}:memory-store`, () => memoryStore());
    gateway.onStop(() => store.close());

    const refreshes = metrics.counter('session_refreshes_total', 'Server-side token refreshes, by outcome', [
      'outcome',
    ]);
    const csrfRefused = metrics.counter(
      'csrf_refused_total',
      'State-changing requests refused by the CSRF check',
    );
    const sessions = createSessionManager({
      store,
      cipher,
      timeouts: options.session,
      onRefresh: (outcome) => refreshes.inc({ outcome }),
    });
    const bff = createWebBff({
      gateway,
      options,
      store,
      cipher,
      sessions,
      identity: identityCalls(gateway, gateway.upstream(options.upstreams.identity, 'web.identity')),
      oidc: options.sso ? createOidcClient(options.sso) : undefined,
    });

    // 3. CSRF, by construction: every state-changing request under the prefix, whichever route it
    // reaches (including routes added later, and 404s), passes this one check before anything else.
    const allowedOrigins = new Set(options.allowedOrigins.map((origin) => new URL(origin).origin));
    const under = `${options.prefix}/`;
    server.ext('onPreAuth', (request, h) => {
      if (
        !changesState(request.method) ||
        !(request.path === options.prefix || request.path.startsWith(under))
      )
        return h.continue;
      const refusal = csrfRefusal(
        request.headers as Record<string, string | string[] | undefined>,
        allowedOrigins,
      );
      if (refusal === undefined) return h.continue;
      csrfRefused.inc();
      gateway
        .requestLogger(request)
        .info({ event: 'web_csrf_refused', reason: refusal }, 'csrf check refused');
      throw Boom.forbidden(refusal);
    });

    // 4. Routes.
    gateway.route([...sessionRoutes(bff), ...viewRoutes(bff)]);
    if (options.serveApp)
      gateway.route(
        appRoutes(options.appPath, await bundleApp({ prefix: options.prefix, appPath: options.appPath })),
      );
    log.info(
      { event: 'web_bff_ready', store: store.kind, sso: Boolean(options.sso), prefix: options.prefix },
      'web BFF ready',
    );
  },
});
