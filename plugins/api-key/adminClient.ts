// A small client of the key admin API (admin listener), for the `portico keys` CLI and for tests.
import type { ApiKeyRecord } from './apiKeys.ts';

export interface CreatedKey extends ApiKeyRecord {
  /** The key itself: shown once, at creation. */
  key: string;
}

export interface CreateKeyInput {
  name: string;
  owner: string;
  scopes?: string[];
  plan?: string;
  rateLimit?: { points: number; duration: number | string };
  monthlyQuota?: number;
  routes?: string[];
  /** ISO 8601 instant, or a date (the key works through that day, UTC). */
  expiresAt?: string;
}

/** `headers`: what every call carries, e.g. `authorization: Bearer <admin token>` (every key route asks for it). */
export function apiKeyAdminClient(adminUrl: string, headers: Record<string, string> = {}) {
  const base = adminUrl.replace(/\/$/, '');
  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const payload = (await response.json().catch(() => ({}))) as T & { message?: string; detail?: string };
    if (!response.ok)
      throw new Error(
        `${method} ${path}: ${response.status} ${payload.message ?? payload.detail ?? ''}`.trim(),
      );
    return payload;
  };
  return {
    create: (input: CreateKeyInput) => call<CreatedKey>('POST', '/api-keys', input),
    list: async () => (await call<{ keys: ApiKeyRecord[] }>('GET', '/api-keys')).keys,
    get: (id: string) => call<ApiKeyRecord>('GET', `/api-keys/${encodeURIComponent(id)}`),
    revoke: (id: string) => call<ApiKeyRecord>('DELETE', `/api-keys/${encodeURIComponent(id)}`),
  };
}
