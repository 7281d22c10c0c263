// The records of the config history: versions (append-only), acknowledgements per instance, and
// audit events.
import type { ConfigIssue } from '../config/configIssues.ts';

/** How a version came in. */
export type VersionSource = 'start' | 'push' | 'rollback' | 'file' | 'sighup';

export interface VersionMeta {
  /** 1, 2, 3, ... in the order versions were accepted; never reused. */
  number: number;
  /** SHA-256 (hex) of the document's canonical form (gateway/versions/canonicalJson.ts). */
  hash: string;
  author: string;
  message: string;
  /** When the accepting instance appended it (ISO 8601). */
  createdAt: string;
  /** The same instant in epoch milliseconds with sub-millisecond digits (propagation is measured from it). */
  acceptedAtMs: number;
  source: VersionSource;
  /** The instance that accepted it. */
  instance: string;
  /** For a rollback: the version whose document it restores. */
  rollbackOf?: number;
}

export interface ConfigVersion extends VersionMeta {
  /** The document without its instance-local keys, references (`${env:...}`) unresolved. */
  document: unknown;
}

export type NewVersion = Omit<ConfigVersion, 'number'>;

/** One instance's answer to one version: applied (ACK), or refused with the reason (NACK). */
export interface InstanceAck {
  instance: string;
  version: number;
  hash: string;
  status: 'applied' | 'refused';
  /** When it was applied (new requests reached the new build) or refused (ISO 8601). */
  at: string;
  atMs: number;
  /** When the instance learnt of the version (epoch ms), for telling propagation from build time. */
  receivedAtMs?: number;
  reason?: string;
  issues?: ConfigIssue[];
}

/** What an instance runs now, and its last refusal if that came later. */
export interface InstanceState {
  instance: string;
  version: number | undefined;
  hash: string;
  appliedAt: string;
  /** The last time the instance reported (each poll): an old one is an instance that is gone. */
  seenAt: string;
  seenAtMs: number;
  /** Every how many ms it reports (its poll interval). */
  pollMs: number;
  refused?: { version: number; hash: string; reason: string; at: string };
}

export type AuditAction =
  'config.push' | 'config.rollback' | 'config.refused' | 'config.start' | 'config.file' | 'admin.change';

export interface AuditEvent {
  at: string;
  action: AuditAction;
  actor: string;
  instance: string;
  version?: number;
  hash?: string;
  detail?: Record<string, unknown>;
}
