// The one interface of the config history, with two stores behind it: Redis (shared by every
// instance: gateway/versions/redisVersionStore.ts) and a local file (one instance:
// gateway/versions/fileVersionStore.ts). Versions are only ever appended.
import type { AuditEvent, ConfigVersion, InstanceAck, InstanceState, NewVersion } from './versionRecord.ts';

/**
 * `seed`: append only when the history is empty (an instance starting on a new store);
 * `change`: append unless the latest version has the same hash (the same content twice in a row
 * is no change, even when several instances accept it at once).
 */
export type AppendMode = 'seed' | 'change';

export interface VersionStore {
  readonly kind: 'redis' | 'file';
  /** Where it is, for logs and /config/versions. */
  readonly describe: string;
  /** Appends atomically; `appended: false` with the version that was latest when it did not. */
  append(entry: NewVersion, mode: AppendMode): Promise<{ version: ConfigVersion; appended: boolean }>;
  /** The number of the latest version; 0 when the history is empty. */
  latestNumber(): Promise<number>;
  get(number: number): Promise<ConfigVersion | undefined>;
  /** The latest version with this hash, or with a hash starting with this prefix (when one matches). */
  byHash(hashOrPrefix: string): Promise<ConfigVersion | undefined>;
  /** Newest first, up to `limit`, below `before` when given. */
  list(limit: number, before?: number): Promise<ConfigVersion[]>;
  /** Records an instance's ACK/NACK of a version and what that instance now runs. */
  report(state: InstanceState, ack?: InstanceAck): Promise<void>;
  acks(number: number): Promise<InstanceAck[]>;
  instances(): Promise<InstanceState[]>;
  appendAudit(event: AuditEvent): Promise<void>;
  /** Newest last, up to `limit`. */
  audit(limit: number): Promise<AuditEvent[]>;
  /** Tells every subscribed instance a version was appended (a no-op for a single instance). */
  publish(version: ConfigVersion): Promise<void>;
  /**
   * Calls `onAppended` with the number of each version another instance publishes, and with
   * undefined whenever the subscription (re)connects (a message may have been missed meanwhile).
   */
  subscribe(onAppended: (number: number | undefined) => void): Promise<void>;
  close(): Promise<void>;
}

/** The store could not be read or written (Redis down, disk full): nothing was changed. */
export class VersionStoreError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'VersionStoreError';
  }
}
