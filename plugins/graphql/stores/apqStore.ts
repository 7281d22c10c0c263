// Where Automatic Persisted Queries live: query text by its SHA-256, bounded and expiring.
export interface ApqStore {
  readonly kind: 'memory' | 'redis';
  get(hash: string): Promise<string | undefined>;
  set(hash: string, query: string): Promise<void>;
}
