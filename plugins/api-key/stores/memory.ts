// Keys in process memory: one instance, gone on restart. Also the in-memory index of the file store.
import type { ApiKeyStore, StoredApiKey } from './types.ts';

export class KeyIndex {
  private byHash = new Map<string, StoredApiKey>();
  private byId = new Map<string, StoredApiKey>();

  replaceAll(keys: StoredApiKey[]): void {
    this.byHash = new Map(keys.map((key) => [key.hash, key]));
    this.byId = new Map(keys.map((key) => [key.id, key]));
  }
  put(key: StoredApiKey): void {
    this.byHash.set(key.hash, key);
    this.byId.set(key.id, key);
  }
  findByHash(hash: string): StoredApiKey | undefined {
    return this.byHash.get(hash);
  }
  get(id: string): StoredApiKey | undefined {
    return this.byId.get(id);
  }
  all(): StoredApiKey[] {
    return [...this.byId.values()];
  }
}

export function revoked(key: StoredApiKey, at: string): StoredApiKey {
  return key.revokedAt ? key : { ...key, revokedAt: at };
}

export function createMemoryStore(): ApiKeyStore {
  const index = new KeyIndex();
  return {
    kind: 'memory',
    add: async (key) => index.put(key),
    findByHash: async (hash) => index.findByHash(hash),
    get: async (id) => index.get(id),
    list: async () => index.all(),
    async revoke(id, at) {
      const key = index.get(id);
      if (!key) return undefined;
      const next = revoked(key, at);
      index.put(next);
      return next;
    },
    close: async () => {},
  };
}
