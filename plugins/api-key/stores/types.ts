import type { ApiKeyRecord, StoredApiKey } from '../apiKeys.ts';

/** Where keys live. Every method may reject when the store fails (the plugin's onStoreError decides). */
export interface ApiKeyStore {
  readonly kind: 'memory' | 'file' | 'redis';
  add(key: StoredApiKey): Promise<void>;
  findByHash(hash: string): Promise<StoredApiKey | undefined>;
  get(id: string): Promise<StoredApiKey | undefined>;
  list(): Promise<StoredApiKey[]>;
  /** Marks the key revoked (once: a second revoke keeps the first time); undefined when there is no such key. */
  revoke(id: string, at: string): Promise<StoredApiKey | undefined>;
  close(): Promise<void>;
}

export type { ApiKeyRecord, StoredApiKey };
