// auth-jwt: a hapi auth scheme and strategy ("jwt") for bearer JWTs from configured OIDC issuers.
import Boom from '@hapi/boom';
import type { AuthCredentials } from '@hapi/hapi';
import { pluginMetrics } from '../../contracts/pluginMetrics.ts';
import { definePlugin, type EdgeRequest } from '../../contracts/plugin.ts';
import { bearerToken } from './bearerToken.ts';
import { KeysUnavailable, TokenRejected } from './errors.ts';
import { createIssuerKeys, type IssuerKeys } from './issuerKeys.ts';
import { missingRequirements } from './requirements.ts';
import { authJwtOptions, authJwtRouteOptions, type AuthJwtRouteOptions } from './schema.ts';
import { createTokenCache } from './tokenCache.ts';
import { createTokenVerifier, type VerifiedToken } from './verifyToken.ts';

export type { VerifiedToken } from './verifyToken.ts';

const NO_REQUIREMENTS = { scopes: [], roles: [] };

/** RFC 6750 §3: a bad token is a 401 whose challenge says why. */
function invalidToken(description: string): Boom.Boom {
  const error = Boom.unauthorized(description);
  error.output.headers['WWW-Authenticate'] =
    `Bearer error="invalid_token", error_description="${description.replace(/["\\]/g, "'")}"`;
  return error;
}

/** Identity headers carry printable ASCII only; anything else is percent-encoded. */

export default definePlugin({
  name: 'auth-jwt',
  version: '1.0.0',
  priority: 1450,
  phases: ['auth'],
  options: authJwtOptions,
  routeOptions: authJwtRouteOptions,
  authStrategies: ['jwt'],
  register(server, options) {
    const gateway = server.portico;
    const logger = gateway.logger.child({ plugin: 'auth-jwt' });

    // Metrics: one set per gateway (its own registry), the same ones again after a reload.
    const metric = pluginMetrics(gateway.metrics, 'auth_jwt');
    const verifications = metric.counter(
      'verifications_total',
      'Bearer tokens checked, by result (valid, invalid, unavailable) and whether the verified-token cache answered',
      ['result', 'cache'],
    );
    const fetches = metric.counter(
      'key_fetches_total',
      'Discovery and JWKS fetches, by issuer, kind and result',
      ['issuer', 'kind', 'result'],
    );

    // The verified-token cache comes first: a key's removal at an issuer empties it.
    const cache = createTokenCache(options.cache);
    // One key source per issuer; state lives here, never at module level.
    const keys = new Map<string, IssuerKeys>();
    for (const issuer of options.issuers) {
      let failing = false;
      keys.set(
        issuer.issuer,
        createIssuerKeys({
          issuer: issuer.issuer,
          jwksUri: issuer.jwksUri,
          cooldown: options.jwks.cooldown,
          timeout: options.jwks.timeout,
          failureBackoff: options.jwks.failureBackoff,
          onFetch: ({ kind, ok, error }) => {
            fetches.inc({ issuer: issuer.issuer, kind, result: ok ? 'ok' : 'error' });
            if (!ok)
              logger.warn(
                { event: 'auth_jwt_key_fetch_failed', issuer: issuer.issuer, kind, err: error },
                'issuer keys could not be fetched',
              );
            else if (failing)
              logger.info(
                { event: 'auth_jwt_key_fetch_recovered', issuer: issuer.issuer, kind },
                'issuer keys fetched again',
              );
            failing = !ok;
          },
          onKeysRemoved: (kids) => {
            cache.clear();
            logger.info(
              { event: 'auth_jwt_keys_removed', issuer: issuer.issuer, kids },
              'issuer stopped publishing keys: their tokens are refused from now on',
            );
          },
        }),
      );
    }
    const verify = createTokenVerifier({
      issuers: options.issuers,
      keysFor: (issuer) => keys.get(issuer)!.resolve,
      clockSkew: Math.floor(options.clockSkew / 1000),
      maxTokenSize: options.maxTokenSize,
    });

    // Background refresh: keys are fetched at start and every refreshInterval, so rotation needs no restart.
    let refreshTimer: NodeJS.Timeout | undefined;
    const refreshAll = () => Promise.all([...keys.values()].map((issuerKeys) => issuerKeys.refresh()));
    server.ext('onPostStart', () => {
      void refreshAll();
      if (options.jwks.refreshInterval > 0) {
        refreshTimer = setInterval(() => void refreshAll(), options.jwks.refreshInterval);
        refreshTimer.unref();
      }
    });
    gateway.onStop(() => clearInterval(refreshTimer));

    // Bound once: a hit should cost a lookup, not a hash of the label set per request.
    const validHits = verifications.labels({ result: 'valid', cache: 'hit' });
    const check = async (request: EdgeRequest, token: string): Promise<VerifiedToken> => {
      const cached = cache.get(token);
      if (cached) {
        validHits.inc();
        return cached;
      }
      try {
        const verified = await verify(token);
        verifications.inc({ result: 'valid', cache: 'miss' });
        cache.set(token, verified);
        return verified;
      } catch (error) {
        if (error instanceof TokenRejected) {
          verifications.inc({ result: 'invalid', cache: 'miss' });
          gateway
            .requestLogger(request)
            .info({ event: 'auth_jwt_rejected', reason: error.description }, 'bearer token rejected');
          throw invalidToken(error.description);
        }
        if (error instanceof KeysUnavailable) {
          verifications.inc({ result: 'unavailable', cache: 'miss' });
          gateway
            .requestLogger(request)
            .warn({ event: 'auth_jwt_unavailable', err: error.message }, 'cannot check bearer token');
          const unavailable = Boom.serverUnavailable('authentication is temporarily unavailable');
          unavailable.output.headers['Retry-After'] = String(error.retryAfter);
          throw unavailable;
        }
        throw error;
      }
    };

    const authenticate = async (request: EdgeRequest) => {
      const routeOptions = gateway.routeOptions<AuthJwtRouteOptions>(request.route, 'auth-jwt');
      // Off on this route, or no bearer token: "missing", so hapi tries the next strategy (or lets an optional route pass).
      if (routeOptions === false) throw Boom.unauthorized(null, 'Bearer');
      const token = bearerToken(request.headers.authorization as string | undefined);
      if (token === undefined) throw Boom.unauthorized(null, 'Bearer');
      if (token === '') throw invalidToken('empty bearer token');

      const verified = await check(request, token);
      if (routeOptions?.issuers && !routeOptions.issuers.includes(verified.issuer)) {
        throw invalidToken('token issuer not accepted on this route');
      }
      const missing = missingRequirements(verified, routeOptions ?? NO_REQUIREMENTS);
      if (missing) {
        gateway
          .requestLogger(request)
          .info(
            { event: 'auth_jwt_forbidden', userId: verified.userId, missing },
            'caller lacks what the route requires',
          );
        const forbidden = Boom.forbidden(missing);
        forbidden.output.headers['WWW-Authenticate'] = 'Bearer error="insufficient_scope"';
        throw forbidden;
      }

      // The upstream learns who this is from the credentials: the gateway sends x-user-* made from them.
      return { credentials: verified as unknown as AuthCredentials };
    };
    // One authenticate for both paths: hapi's scheme, and the fast path's edge auth.
    gateway.edgeAuth('jwt', authenticate);
    server.auth.scheme('portico-jwt', () => ({
      authenticate: async (request, h) => h.authenticated(await authenticate(request)),
    }));
    server.auth.strategy('jwt', 'portico-jwt');
    logger.info(
      {
        event: 'auth_jwt_ready',
        issuers: options.issuers.map(({ issuer }) => issuer),
        cache: options.cache.max,
      },
      'jwt strategy registered',
    );
  },
});
