// One instance's side of the config history: it accepts versions (admin push, rollback, its own
// file), applies the versions other instances accept (told by the store's publish, or found by the
// poll), acknowledges each (ACK, or NACK with the reason, as xDS does) and keeps the audit trail.
// Every change goes through one queue, so two versions are never built at once.
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import { SECRET_KEY } from '../admin/redactConfig.ts';
import { ConfigError, formatPath, type ConfigIssue } from '../config/configIssues.ts';
import type { LoadedConfig } from '../config/loadConfigFile.ts';
import { isReferenceOnly } from '../config/resolveReferences.ts';
import { configHash } from './canonicalJson.ts';
import { sharedDocument } from './instanceLocal.ts';
import type {
  AuditEvent,
  ConfigVersion,
  InstanceAck,
  InstanceState,
  VersionMeta,
  VersionSource,
} from './versionRecord.ts';
import { VersionStoreError, type VersionStore } from './versionStore.ts';

export interface VersionAgentDeps {
  store: VersionStore;
  logger: Logger;
  /** How often the history is read for a missed publish, and the instance reports it is alive. */
  pollMs: number;
  /** The document this instance started with (its file): its shared part may seed the history. */
  startDocument: unknown;
  /** This instance's id until run() gives the final one (the bound port is known only once listening). */
  instanceId: string;
  /** A version's shared document → what this instance would run (its local keys put back); throws ConfigError. */
  resolve(shared: unknown): Promise<LoadedConfig>;
  /**
   * Builds `loaded` beside the running config and swaps to it. `beforeSwap` runs once the new
   * build stands and may still refuse (throw): then nothing changes.
   */
  apply(loaded: LoadedConfig, beforeSwap?: () => Promise<void>): Promise<void>;
}

export interface Submission {
  author: string;
  message: string;
  source: VersionSource;
  rollbackOf?: number;
}

export type AcceptResult =
  | { outcome: 'applied'; version: ConfigVersion; ack: InstanceAck; ignored: string[]; warnings: string[] }
  | { outcome: 'unchanged'; version: ConfigVersion | undefined; ignored: string[]; warnings: string[] }
  | { outcome: 'refused'; issues: ConfigIssue[]; ignored: string[]; warnings: string[] };

export interface VersionAgent {
  readonly store: VersionStore;
  /** The version this instance runs (undefined while it runs a config the history has not recorded). */
  current(): ConfigVersion | undefined;
  instanceId(): string;
  /**
   * Before the listener opens: the history starts from this instance's config (seeded when empty),
   * or, when the shared history already has a newer version, that version is applied first.
   */
  catchUp(): Promise<void>;
  /** Once listening (the instance's id is known): report, subscribe, poll. */
  run(instanceId: string): Promise<void>;
  /** Validates in full, builds, appends, swaps, publishes: refused (and nothing changed) when invalid. */
  accept(document: unknown, submission: Submission): Promise<AcceptResult>;
  /** A new version whose document is exactly that of `ref` (a number, a hash or a hash prefix). */
  rollback(
    ref: string,
    submission: Omit<Submission, 'source' | 'rollbackOf'>,
  ): Promise<AcceptResult | undefined>;
  /** Finds a version by number, hash or hash prefix. */
  find(ref: string): Promise<ConfigVersion | undefined>;
  audit(event: Omit<AuditEvent, 'at' | 'instance'>): void;
  stop(): Promise<void>;
}

const now = () => performance.timeOrigin + performance.now();
const iso = (ms: number) => new Date(ms).toISOString();

export function createVersionAgent(deps: VersionAgentDeps): VersionAgent {
  const { store, logger } = deps;
  const log = logger.child({ component: 'versions' });
  const start = sharedDocument(deps.startDocument);
  const startHash = configHash(start.shared);
  // What runs now: its hash always, its version once the history has it.
  let running: { hash: string; version: ConfigVersion | undefined; appliedAtMs: number } = {
    hash: startHash,
    version: undefined,
    appliedAtMs: now(),
  };
  let lastRefusal: InstanceState['refused'];
  let id = deps.instanceId;
  let started = false;
  let stopped = false;
  const refused = new Set<number>();
  const pendingAudit: AuditEvent[] = [];
  let poll: NodeJS.Timeout | undefined;

  // One change at a time; a burst of publishes collapses into one sync of the latest.
  let queue: Promise<unknown> = Promise.resolve();
  const enqueue = <T>(work: () => Promise<T>): Promise<T> => {
    const run = queue.then(work);
    queue = run.catch(() => {});
    return run;
  };
  let syncQueued = false;

  // Writes nobody waits for (audit events, acknowledgements, publishes) still finish before stop()
  // closes the store: a write after stop raced whoever removes the history next (a test's temp dir).
  const writes = new Set<Promise<unknown>>();
  function track(write: Promise<unknown>): void {
    writes.add(write);
    void write.finally(() => writes.delete(write));
  }

  function audit(event: Omit<AuditEvent, 'at' | 'instance'>): void {
    const full: AuditEvent = { at: new Date().toISOString(), instance: id, ...event };
    log.info({ event: 'audit', audit: full }, `audit: ${event.action}`);
    // Before the listener opens the instance has no id yet: kept until run().
    if (!started) pendingAudit.push(full);
    else keepAudit(full);
  }

  function keepAudit(event: AuditEvent): void {
    track(
      store
        .appendAudit(event)
        .catch((error: unknown) =>
          log.error({ event: 'audit_store_failed', err: (error as Error).message }, 'audit event not stored'),
        ),
    );
  }

  function state(): InstanceState {
    const seenAtMs = now();
    return {
      instance: id,
      version: running.version?.number,
      hash: running.hash,
      appliedAt: iso(running.appliedAtMs),
      seenAt: iso(seenAtMs),
      seenAtMs,
      pollMs: deps.pollMs,
      ...(lastRefusal ? { refused: lastRefusal } : {}),
    };
  }

  function report(ack?: InstanceAck): void {
    if (!started) return;
    track(
      store
        .report(state(), ack)
        .catch((error: unknown) =>
          log.warn(
            { event: 'version_ack_failed', err: (error as Error).message },
            'acknowledgement not stored',
          ),
        ),
    );
  }

  function ackOf(version: ConfigVersion, atMs: number, receivedAtMs?: number): InstanceAck {
    return {
      instance: id,
      version: version.number,
      hash: version.hash,
      status: 'applied',
      at: iso(atMs),
      atMs,
      ...(receivedAtMs !== undefined ? { receivedAtMs } : {}),
    };
  }

  async function resolveOrIssues(shared: unknown): Promise<LoadedConfig | ConfigIssue[]> {
    try {
      return await deps.resolve(shared);
    } catch (error) {
      if (error instanceof ConfigError) return error.issues;
      return [{ path: '', message: (error as Error).message }];
    }
  }

  /** Applies a version another instance accepted (or that was accepted while this one was away). */
  async function applyStored(version: ConfigVersion, receivedAtMs: number): Promise<void> {
    if (version.hash === running.hash) {
      // The same content: nothing to build, only the number to take.
      running = { hash: version.hash, version, appliedAtMs: now() };
      lastRefusal = undefined;
      report(ackOf(version, running.appliedAtMs, receivedAtMs));
      return;
    }
    const loaded = await resolveOrIssues(version.document);
    let issues = Array.isArray(loaded) ? loaded : undefined;
    if (!issues) {
      try {
        await deps.apply(loaded as LoadedConfig);
      } catch (error) {
        issues =
          error instanceof ConfigError ? error.issues : [{ path: '', message: (error as Error).message }];
      }
    }
    if (issues) {
      refused.add(version.number);
      const atMs = now();
      const reason = issues.map((issue) => `${issue.path || '(root)'}: ${issue.message}`).join('; ');
      lastRefusal = { version: version.number, hash: version.hash, reason, at: iso(atMs) };
      log.error(
        { event: 'config_version_refused', version: version.number, hash: version.hash, issues },
        'config version refused; the running config stays',
      );
      report({
        instance: id,
        version: version.number,
        hash: version.hash,
        status: 'refused',
        at: iso(atMs),
        atMs,
        receivedAtMs,
        reason,
        issues,
      });
      return;
    }
    running = { hash: version.hash, version, appliedAtMs: now() };
    lastRefusal = undefined;
    log.info(
      {
        event: 'config_version_applied',
        version: version.number,
        hash: version.hash,
        source: version.source,
      },
      'config version applied',
    );
    report(ackOf(version, running.appliedAtMs, receivedAtMs));
  }

  /** Brings this instance to the latest version of the history, if it is not there. */
  function sync(): Promise<void> {
    if (syncQueued) return Promise.resolve();
    syncQueued = true;
    const receivedAtMs = now();
    return enqueue(async () => {
      syncQueued = false;
      if (stopped) return;
      const latest = await store.latestNumber();
      const current = running.version?.number ?? 0;
      if (latest === 0 || latest === current) return;
      if (latest < current) {
        // Numbers only grow: a lower one is a history started over (a flushed Redis). Follow it.
        log.warn(
          { event: 'version_history_reset', latest, running: current },
          'the version history started over',
        );
        refused.clear();
      } else if (refused.has(latest)) return;
      const version = await store.get(latest);
      if (version) await applyStored(version, receivedAtMs);
    }).catch((error: unknown) =>
      log.warn({ event: 'version_sync_failed', err: (error as Error).message }, 'version history not read'),
    );
  }

  function literalSecrets(document: unknown): string[] {
    const found: string[] = [];
    const walk = (value: unknown, path: PropertyKey[]) => {
      if (Array.isArray(value)) return value.forEach((item, index) => walk(item, [...path, index]));
      if (value && typeof value === 'object')
        return Object.entries(value).forEach(([key, inner]) => walk(inner, [...path, key]));
      const key = path.at(-1);
      if (
        typeof value === 'string' &&
        typeof key === 'string' &&
        SECRET_KEY.test(key) &&
        !isReferenceOnly(value)
      )
        found.push(
          `${formatPath(path)}: a literal secret is kept in the version history as written; write it as \${env:NAME} or \${file:PATH}`,
        );
    };
    walk(document, []);
    return found;
  }

  async function accept(document: unknown, submission: Submission): Promise<AcceptResult> {
    const { shared, ignored } = sharedDocument(document);
    const warnings = literalSecrets(shared);
    const hash = configHash(shared);
    return enqueue(async () => {
      // Unchanged only when this is also the history's latest: an instance that refused a newer
      // version still runs this content, and a push of it must still reach the others.
      if (hash === running.hash && running.version && running.version.number === (await store.latestNumber()))
        return { outcome: 'unchanged', version: running.version, ignored, warnings } as const;
      const loaded = await resolveOrIssues(shared);
      if (Array.isArray(loaded)) return refuse(loaded, hash, submission, ignored, warnings);

      let version: ConfigVersion | undefined;
      try {
        await deps.apply(loaded, async () => {
          const acceptedAtMs = now();
          ({ version } = await store.append(
            {
              hash,
              author: submission.author,
              message: submission.message,
              createdAt: iso(acceptedAtMs),
              acceptedAtMs,
              source: submission.source,
              instance: id,
              ...(submission.rollbackOf !== undefined ? { rollbackOf: submission.rollbackOf } : {}),
              document: shared,
            },
            'change',
          ));
        });
      } catch (error) {
        if (error instanceof VersionStoreError) throw error;
        const issues =
          error instanceof ConfigError ? error.issues : [{ path: '', message: (error as Error).message }];
        return refuse(issues, hash, submission, ignored, warnings);
      }
      const applied = version!;
      running = { hash, version: applied, appliedAtMs: now() };
      lastRefusal = undefined;
      const ack = ackOf(applied, running.appliedAtMs);
      report(ack);
      track(
        store
          .publish(applied)
          .catch((error: unknown) =>
            log.warn(
              { event: 'version_publish_failed', err: (error as Error).message },
              'version not published; the other instances find it at their next poll',
            ),
          ),
      );
      audit({
        action:
          submission.source === 'rollback'
            ? 'config.rollback'
            : submission.source === 'push'
              ? 'config.push'
              : 'config.file',
        actor: submission.author,
        version: applied.number,
        hash,
        detail: {
          message: submission.message,
          source: submission.source,
          ...(submission.rollbackOf !== undefined ? { rollbackOf: submission.rollbackOf } : {}),
          ...(ignored.length ? { ignored } : {}),
        },
      });
      return { outcome: 'applied', version: applied, ack, ignored, warnings } as const;
    });
  }

  function refuse(
    issues: ConfigIssue[],
    hash: string,
    submission: Submission,
    ignored: string[],
    warnings: string[],
  ): AcceptResult {
    log.warn({ event: 'config_refused', hash, issues, source: submission.source }, 'config refused');
    audit({
      action: 'config.refused',
      actor: submission.author,
      hash,
      detail: { message: submission.message, source: submission.source, issues },
    });
    return { outcome: 'refused', issues, ignored, warnings };
  }

  async function find(ref: string): Promise<ConfigVersion | undefined> {
    if (/^\d+$/.test(ref)) return store.get(Number(ref));
    return /^[0-9a-f]{4,64}$/i.test(ref) ? store.byHash(ref.toLowerCase()) : undefined;
  }

  return {
    store,
    current: () => running.version,
    instanceId: () => id,
    async catchUp() {
      try {
        const seedTime = now();
        const seed = () =>
          store.append(
            {
              hash: startHash,
              author: 'start',
              message: 'the config this instance started with',
              createdAt: iso(seedTime),
              acceptedAtMs: seedTime,
              source: 'start',
              instance: id,
              document: start.shared,
            },
            // A shared history is the truth once it has versions; a file history starts from the file.
            store.kind === 'redis' ? 'seed' : 'change',
          );
        const { version, appended } = await seed();
        if (appended)
          audit({ action: 'config.start', actor: 'start', version: version.number, hash: version.hash });
        if (version.hash === startHash) running = { ...running, version };
        else await enqueue(() => applyStored(version, now()));
      } catch (error) {
        log.warn(
          { event: 'version_history_unavailable', store: store.describe, err: (error as Error).message },
          'version history unavailable at start: running the local config; the poll catches up',
        );
      }
    },
    async run(instanceId) {
      id = instanceId;
      started = true;
      for (const event of pendingAudit.splice(0)) keepAudit({ ...event, instance: id });
      report(running.version ? ackOf(running.version, running.appliedAtMs) : undefined);
      await store.subscribe((number) => {
        if (number !== running.version?.number) void sync();
      });
      // A file history is one instance's: what another process appends there is not this one's to run.
      const propagates = store.kind === 'redis';
      poll = setInterval(() => {
        report();
        if (propagates) void sync();
      }, deps.pollMs);
      poll.unref();
    },
    accept,
    async rollback(ref, submission) {
      const target = await find(ref);
      if (!target) return undefined;
      return accept(target.document, { ...submission, source: 'rollback', rollbackOf: target.number });
    },
    find,
    audit,
    async stop() {
      stopped = true;
      clearInterval(poll);
      await queue;
      await Promise.all(writes);
      await store.close();
    },
  };
}

export type { VersionMeta };
