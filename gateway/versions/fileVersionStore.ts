// The config history of a single instance: JSON lines in a directory, appended and never
// rewritten (versions.jsonl, audit.jsonl). An exclusive lock file makes "read the latest number,
// append the next" atomic even when a second process points at the same directory by mistake.
// Acknowledgements stay in memory: this instance is the only one to report.
import { appendFile, mkdir, open, readFile, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { AuditEvent, ConfigVersion, InstanceAck, InstanceState } from './versionRecord.ts';
import { VersionStoreError, type VersionStore } from './versionStore.ts';

const LOCK_WAIT_MS = 5_000;
/** A lock older than this was left by a process that died holding it. */
const STALE_LOCK_MS = 30_000;

export function fileVersionStore(directory: string): VersionStore {
  const dir = resolve(directory);
  const versionsFile = join(dir, 'versions.jsonl');
  const auditFile = join(dir, 'audit.jsonl');
  const lockFile = join(dir, '.lock');
  const acks = new Map<number, Map<string, InstanceAck>>();
  const instances = new Map<string, InstanceState>();
  let ready: Promise<void> | undefined;
  const ensureDir = () => (ready ??= mkdir(dir, { recursive: true }).then(() => undefined));

  const failed = (what: string) => (error: unknown) => {
    throw new VersionStoreError(
      `the version history in ${dir} cannot be ${what}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  };

  async function readLines<T>(file: string): Promise<T[]> {
    const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return '';
      throw error;
    });
    const out: T[] = [];
    for (const line of text.split('\n')) {
      if (!line) continue;
      try {
        out.push(JSON.parse(line) as T);
      } catch {
        // A torn last line (the process died mid-write): that version was never acknowledged.
      }
    }
    return out;
  }
  const versions = () => readLines<ConfigVersion>(versionsFile);

  async function withLock<T>(work: () => Promise<T>): Promise<T> {
    await ensureDir();
    const deadline = Date.now() + LOCK_WAIT_MS;
    for (;;) {
      try {
        const handle = await open(lockFile, 'wx');
        await handle.close();
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        const age = await stat(lockFile).then(
          (info) => Date.now() - info.mtimeMs,
          () => 0,
        );
        if (age > STALE_LOCK_MS) await rm(lockFile, { force: true });
        else if (Date.now() > deadline) throw new Error(`${lockFile} is held by another process`);
        else await new Promise((wake) => setTimeout(wake, 10));
      }
    }
    try {
      return await work();
    } finally {
      await rm(lockFile, { force: true });
    }
  }

  return {
    kind: 'file',
    describe: `file ${dir}`,
    append: (entry, mode) =>
      withLock(async () => {
        const all = await versions();
        const latest = all.at(-1);
        if (latest && (mode === 'seed' || latest.hash === entry.hash))
          return { version: latest, appended: false };
        const version: ConfigVersion = { number: (latest?.number ?? 0) + 1, ...entry };
        await appendFile(versionsFile, `${JSON.stringify(version)}\n`);
        return { version, appended: true };
      }).catch(failed('appended to')),
    latestNumber: () => versions().then((all) => all.at(-1)?.number ?? 0, failed('read')),
    get: (number) =>
      versions().then((all) => all.find((version) => version.number === number), failed('read')),
    byHash: (hash) =>
      versions().then((all) => {
        const exact = all.filter((version) => version.hash === hash);
        if (exact.length > 0) return exact.at(-1);
        const prefixed = new Set(all.filter((version) => version.hash.startsWith(hash)).map((v) => v.hash));
        return prefixed.size === 1 ? all.filter((version) => prefixed.has(version.hash)).at(-1) : undefined;
      }, failed('read')),
    list: (limit, before) =>
      versions().then(
        (all) =>
          all
            .filter((version) => before === undefined || version.number < before)
            .slice(-limit)
            .reverse(),
        failed('read'),
      ),
    async report(state, ack) {
      instances.set(state.instance, state);
      if (!ack) return;
      let forVersion = acks.get(ack.version);
      if (!forVersion) acks.set(ack.version, (forVersion = new Map()));
      forVersion.set(ack.instance, ack);
    },
    acks: async (number) => [...(acks.get(number)?.values() ?? [])],
    instances: async () => [...instances.values()],
    appendAudit: (event) =>
      ensureDir()
        .then(() => appendFile(auditFile, `${JSON.stringify(event)}\n`))
        .catch(failed('appended to')),
    audit: (limit) => readLines<AuditEvent>(auditFile).then((all) => all.slice(-limit), failed('read')),
    publish: async () => {},
    subscribe: async () => {},
    close: async () => {},
  };
}
