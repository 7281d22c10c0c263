// The admin listener's purge: DELETE /cache?prefix=/api/v1/programs removes every entry whose path
// starts with the prefix (every query, caller and Vary); no prefix purges everything.
import Boom from '@hapi/boom';
import type { ServerRoute } from '@hapi/hapi';
import type { Logger } from 'pino';

export function cacheAdminRoutes(
  purgePrefix: (prefix: string) => Promise<number>,
  logger: Logger,
): ServerRoute[] {
  return [
    {
      method: 'DELETE',
      path: '/cache',
      handler: async (request) => {
        const raw = request.query.prefix as unknown;
        const prefix = raw === undefined || raw === '' ? '/' : raw;
        if (typeof prefix !== 'string' || !prefix.startsWith('/'))
          throw Boom.badRequest('prefix: expected one path prefix starting with "/"');
        try {
          return { prefix, purged: await purgePrefix(prefix) };
        } catch (error) {
          logger.error(
            { event: 'response_cache_store_error', err: (error as Error).message },
            'cache purge failed',
          );
          throw Boom.serverUnavailable('the cache store is unavailable');
        }
      },
    },
  ];
}
