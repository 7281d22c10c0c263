// What a version does not carry: the keys that belong to one instance — where it listens, its
// edge limits (they live on the listening socket, which outlives builds), its Redis connection, its
// history settings. A version is the rest of the document, so every instance applies the same
// version whatever its own addresses; each applies it with its own start-up values for these.
import type { PorticoConfig } from '../config/schema.ts';

const LOCAL_KEYS: ReadonlyArray<readonly [string] | readonly [string, string]> = [
  ['server', 'host'],
  ['server', 'port'],
  ['server', 'admin'],
  ['server', 'limits'],
  ['redis'],
  ['versions'],
];

export const INSTANCE_LOCAL_PATHS = LOCAL_KEYS.map((path) => path.join('.'));

type Document = Record<string, unknown>;

const isObject = (value: unknown): value is Document =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The document without its instance-local keys, and the paths of those it had (ignored). */
export function sharedDocument(document: unknown): { shared: unknown; ignored: string[] } {
  if (!isObject(document)) return { shared: document, ignored: [] };
  const shared: Document = structuredClone(document);
  const ignored: string[] = [];
  for (const path of LOCAL_KEYS) {
    const [first, second] = path;
    if (second === undefined) {
      if (first in shared) {
        ignored.push(first);
        delete shared[first];
      }
      continue;
    }
    const parent = shared[first];
    if (isObject(parent) && second in parent) {
      ignored.push(`${first}.${second}`);
      delete parent[second];
      if (Object.keys(parent).length === 0) delete shared[first];
    }
  }
  return { shared, ignored };
}

/** `shared` with this instance's local keys (from the document it started with) put back. */
export function withLocalKeys(shared: unknown, startDocument: unknown): unknown {
  if (!isObject(shared) || !isObject(startDocument)) return shared;
  const merged: Document = structuredClone(shared);
  for (const [first, second] of LOCAL_KEYS) {
    if (second === undefined) {
      if (first in startDocument) merged[first] = structuredClone(startDocument[first]);
      continue;
    }
    const from = startDocument[first];
    if (!isObject(from) || !(second in from)) continue;
    const into = isObject(merged[first]) ? (merged[first] as Document) : (merged[first] = {});
    (into as Document)[second] = structuredClone(from[second]);
  }
  return merged;
}

/** The running instance's values win over whatever a version resolved to (`PORT` included). */
export function pinLocalConfig(next: PorticoConfig, start: PorticoConfig): void {
  next.server.host = start.server.host;
  next.server.port = start.server.port;
  next.server.admin = start.server.admin;
  next.server.limits = start.server.limits;
  next.redis = start.redis;
  next.versions = start.versions;
}
