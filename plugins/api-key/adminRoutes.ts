// The admin API for keys, on the admin listener (private address): create (the key is shown once),
// list, show, revoke. Responses carry records without hashes; the key itself is never stored.
import Boom from '@hapi/boom';
import type { ServerRoute } from '@hapi/hapi';
import type { Logger } from 'pino';
import { generateKey, generateKeyId, hashKey, publicRecord, type StoredApiKey } from './apiKeys.ts';
import { createKeyRequest } from './schema.ts';
import type { ApiKeyStore } from './stores/types.ts';

export function apiKeyAdminRoutes(
  store: ApiKeyStore,
  logger: Logger,
  now: () => Date = () => new Date(),
): ServerRoute[] {
  const storeFailed = (error: unknown): never => {
    logger.error({ event: 'api_key_store_error', err: (error as Error).message }, 'api key store failed');
    throw Boom.serverUnavailable('the API key store is unavailable');
  };

  return [
    {
      method: 'POST',
      path: '/api-keys',
      handler: async (request, h) => {
        const parsed = createKeyRequest.safeParse(request.payload ?? {});
        if (!parsed.success) {
          const issues = parsed.error.issues.map(
            (issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`,
          );
          throw Boom.badRequest(issues.join('; '));
        }
        if (parsed.data.expiresAt && Date.parse(parsed.data.expiresAt) <= now().getTime())
          throw Boom.badRequest('expiresAt: must be in the future');
        const key = generateKey();
        const stored: StoredApiKey = {
          id: generateKeyId(),
          name: parsed.data.name,
          owner: parsed.data.owner,
          scopes: parsed.data.scopes,
          ...(parsed.data.plan !== undefined ? { plan: parsed.data.plan } : {}),
          ...(parsed.data.rateLimit ? { rateLimit: parsed.data.rateLimit } : {}),
          ...(parsed.data.monthlyQuota !== undefined ? { monthlyQuota: parsed.data.monthlyQuota } : {}),
          ...(parsed.data.routes ? { routes: parsed.data.routes } : {}),
          ...(parsed.data.expiresAt ? { expiresAt: parsed.data.expiresAt } : {}),
          createdAt: now().toISOString(),
          hash: hashKey(key),
        };
        await store.add(stored).catch(storeFailed);
        logger.info({ event: 'api_key_created', keyId: stored.id }, 'api key created');
        // The only time the key is ever shown.
        return h.response({ ...publicRecord(stored), key }).code(201);
      },
    },
    {
      method: 'GET',
      path: '/api-keys',
      handler: async () => {
        const keys = await store.list().catch(storeFailed);
        return { keys: keys.map(publicRecord).sort((a, b) => a.createdAt.localeCompare(b.createdAt)) };
      },
    },
    {
      method: 'GET',
      path: '/api-keys/{id}',
      handler: async (request) => {
        const key = await store.get(request.params.id as string).catch(storeFailed);
        if (!key) throw Boom.notFound('no such API key');
        return publicRecord(key);
      },
    },
    {
      method: 'DELETE',
      path: '/api-keys/{id}',
      handler: async (request) => {
        const key = await store.revoke(request.params.id as string, now().toISOString()).catch(storeFailed);
        if (!key) throw Boom.notFound('no such API key');
        logger.info({ event: 'api_key_revoked', keyId: key.id }, 'api key revoked');
        return publicRecord(key);
      },
    },
  ];
}
