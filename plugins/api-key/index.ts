// api-key: a hapi auth scheme and strategy ("api-key") for third parties' keys, sent as
// `X-API-Key: <key>` or `Authorization: ApiKey <key>`; keys are issued and revoked on the admin API.
import Boom from '@hapi/boom';
import type { AuthCredentials, Request } from '@hapi/hapi';
import { pluginMetrics } from '../../contracts/pluginMetrics.ts';
import { definePlugin } from '../../contracts/plugin.ts';
import { apiKeyAdminRoutes } from './adminRoutes.ts';
import { hashKey, isWellFormedKey, presentedKey, type StoredApiKey } from './apiKeys.ts';
import { apiKeyOptions, apiKeyRouteOptions, type ApiKeyOptions, type ApiKeyRouteOptions } from './schema.ts';
import { createFileStore } from './stores/file.ts';
import { createMemoryStore } from './stores/memory.ts';
import { createRedisStore } from './stores/redis.ts';
import type { ApiKeyStore } from './stores/types.ts';

/** What `request.auth.credentials` holds for a request authenticated by a key. */
export interface ApiKeyCredentials {
  kind: 'api-key';
  keyId: string;
  name: string;
  owner: string;
  scopes: string[];
  /** The key's own rate-limit policy (points per duration seconds), when it has one. */
  rateLimit?: { points: number; duration: number };
  /** Requests per calendar month (UTC), when the key's plan has a quota; the rate-limit plugin counts it. */
  monthlyQuota?: number;
  plan?: string;
}

// Headers the gateway sets for the upstream; a client's own copies are removed on arrival.
const KEY_ID_HEADER = 'x-api-key-id';
const KEY_OWNER_HEADER = 'x-api-key-owner';

function invalidKey(description: string): Boom.Boom {
  const error = Boom.unauthorized(description);
  error.output.headers['WWW-Authenticate'] = `ApiKey error="invalid_key", error_description="${description}"`;
  return error;
}

async function openStore(
  options: ApiKeyOptions['store'],
  redis: Parameters<typeof createRedisStore>[0] | undefined,
  onReloadError: (error: Error) => void,
): Promise<ApiKeyStore> {
  const type = options.type === 'auto' ? (redis ? 'redis' : 'file') : options.type;
  if (type === 'redis') {
    if (!redis) throw new Error('api-key: store.type is redis, but the gateway has no redis configured');
    return createRedisStore(redis, options.prefix);
  }
  if (type === 'file') return createFileStore(options.path, onReloadError);
  return createMemoryStore();
}

export default definePlugin({
  name: 'api-key',
  version: '1.0.0',
  priority: 1250,
  phases: ['onRequest', 'auth', 'onPostAuth'],
  options: apiKeyOptions,
  routeOptions: apiKeyRouteOptions,
  authStrategies: ['api-key'],
  async register(server, options) {
    const gateway = server.portico;
    const logger = gateway.logger.child({ plugin: 'api-key' });
    const store = await openStore(options.store, gateway.redis, (error) =>
      logger.warn(
        { event: 'api_key_file_reload_failed', err: error.message },
        'could not reload the API key file; keeping the keys loaded',
      ),
    );
    gateway.onStop(() => store.close());
    gateway.addAdminRoutes(apiKeyAdminRoutes(store, logger));

    // The same counter again after a reload (the registry outlives builds).
    const checks = pluginMetrics(gateway.metrics, 'api_key').counter(
      'checks_total',
      'API keys presented, by result (valid, invalid, revoked, expired, forbidden, store_error)',
      ['result'],
    );

    // A client may not speak for a key; only this plugin sets these.
    server.ext('onRequest', (request, h) => {
      const headers = request.headers as Record<string, unknown>;
      delete headers[KEY_ID_HEADER];
      delete headers[KEY_OWNER_HEADER];
      return h.continue;
    });
    // A key is never forwarded upstream, whichever way the request was (or was not) authenticated.
    server.ext('onPostAuth', (request, h) => {
      const headers = request.headers as Record<string, unknown>;
      delete headers['x-api-key'];
      if (typeof headers.authorization === 'string' && /^ApiKey\s/i.test(headers.authorization))
        delete headers.authorization;
      return h.continue;
    });

    const lookUp = async (
      request: Request,
      key: string,
    ): Promise<StoredApiKey | undefined | 'store-error'> => {
      try {
        return await store.findByHash(hashKey(key));
      } catch (error) {
        checks.inc({ result: 'store_error' });
        gateway
          .requestLogger(request)
          .error({ event: 'api_key_store_error', err: (error as Error).message }, 'api key store failed');
        return 'store-error';
      }
    };

    server.auth.scheme('portico-api-key', () => ({
      async authenticate(request, h) {
        const routeOptions = gateway.routeOptions<ApiKeyRouteOptions>(request.route, 'api-key');
        const accepted =
          routeOptions === undefined ? options.acceptOn === 'all-routes' : routeOptions !== false;
        const key = accepted ? presentedKey(request.headers as Record<string, unknown>) : undefined;
        // Not accepted here, or no key: "missing", so hapi tries the next strategy (or lets an optional route pass).
        if (key === undefined) throw Boom.unauthorized(null, 'ApiKey');
        if (!isWellFormedKey(key)) {
          checks.inc({ result: 'invalid' });
          throw invalidKey('malformed API key');
        }

        const found = await lookUp(request, key);
        if (found === 'store-error') {
          if (options.onStoreError === 'unauthenticated') throw Boom.unauthorized(null, 'ApiKey');
          const unavailable = Boom.serverUnavailable('API key checks are temporarily unavailable');
          unavailable.output.headers['Retry-After'] = '5';
          throw unavailable;
        }
        if (!found) {
          checks.inc({ result: 'invalid' });
          gateway
            .requestLogger(request)
            .info({ event: 'api_key_rejected', reason: 'unknown' }, 'unknown API key');
          throw invalidKey('unknown API key');
        }
        if (found.revokedAt) {
          checks.inc({ result: 'revoked' });
          gateway
            .requestLogger(request)
            .info({ event: 'api_key_rejected', reason: 'revoked', keyId: found.id }, 'revoked API key');
          throw invalidKey('API key revoked');
        }
        if (found.expiresAt && Date.parse(found.expiresAt) <= Date.now()) {
          checks.inc({ result: 'expired' });
          gateway
            .requestLogger(request)
            .info({ event: 'api_key_rejected', reason: 'expired', keyId: found.id }, 'expired API key');
          throw invalidKey('API key expired');
        }
        const routeId = request.plugins.portico?.routeId ?? '';
        if (found.routes && !found.routes.includes(routeId)) {
          checks.inc({ result: 'forbidden' });
          gateway
            .requestLogger(request)
            .info(
              { event: 'api_key_forbidden', keyId: found.id, route: routeId },
              'API key not allowed on route',
            );
          throw Boom.forbidden('this API key may not be used on this route');
        }
        const missing = (routeOptions ? routeOptions.scopes : []).filter(
          (scope) => !found.scopes.includes(scope),
        );
        if (missing.length > 0) {
          checks.inc({ result: 'forbidden' });
          gateway
            .requestLogger(request)
            .info({ event: 'api_key_forbidden', keyId: found.id, missing }, 'API key lacks scopes');
          throw Boom.forbidden(`missing scope${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}`);
        }

        checks.inc({ result: 'valid' });
        // The upstream learns which key this is from the credentials: the gateway sends x-api-key-* made from them.
        const credentials: ApiKeyCredentials = {
          kind: 'api-key',
          keyId: found.id,
          name: found.name,
          owner: found.owner,
          scopes: found.scopes,
          ...(found.rateLimit ? { rateLimit: found.rateLimit } : {}),
          ...(found.monthlyQuota !== undefined ? { monthlyQuota: found.monthlyQuota } : {}),
          ...(found.plan !== undefined ? { plan: found.plan } : {}),
        };
        return h.authenticated({ credentials: credentials as unknown as AuthCredentials });
      },
    }));
    server.auth.strategy('api-key', 'portico-api-key');
    logger.info(
      { event: 'api_key_ready', store: store.kind, acceptOn: options.acceptOn },
      'api-key strategy registered',
    );
  },
});
