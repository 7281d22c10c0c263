// Keys in a JSON file (hashes only, mode 0600), so they survive restarts without Redis. Writes are
// atomic (a temporary file renamed over the old one); the file is re-read before each change and
// watched, so several gateway processes on one host see each other's revocations.
import { watch, type FSWatcher } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { basename, dirname, resolve } from 'node:path';
import { KeyIndex, revoked } from './memory.ts';
import type { ApiKeyStore, StoredApiKey } from './types.ts';

interface FileShape {
  version: 1;
  keys: StoredApiKey[];
}

export async function createFileStore(
  path: string,
  onReloadError: (error: Error) => void,
): Promise<ApiKeyStore> {
  const file = resolve(path);
  const index = new KeyIndex();
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });

  const read = async (): Promise<StoredApiKey[]> => {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const parsed = JSON.parse(text) as FileShape;
    if (parsed?.version !== 1 || !Array.isArray(parsed.keys))
      throw new Error(`${file} is not an API key file`);
    return parsed.keys;
  };
  const write = async (keys: StoredApiKey[]) => {
    const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    await writeFile(temporary, `${JSON.stringify({ version: 1, keys } satisfies FileShape, null, 2)}\n`, {
      mode: 0o600,
    });
    await rename(temporary, file);
  };
  // Changes are serialised within the process: read, change, write.
  let queue: Promise<unknown> = Promise.resolve();
  const change = <T>(apply: (keys: StoredApiKey[]) => { keys: StoredApiKey[]; result: T }): Promise<T> => {
    const next = queue.then(async () => {
      const { keys, result } = apply(await read());
      await write(keys);
      index.replaceAll(keys);
      return result;
    });
    queue = next.catch(() => {});
    return next;
  };

  index.replaceAll(await read());

  // Another process (or an operator restoring a backup) changed the file: load it again.
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(dirname(file), { persistent: false }, (_event, name) => {
      if (name !== basename(file)) return;
      read().then(
        (keys) => index.replaceAll(keys),
        (error: Error) => onReloadError(error),
      );
    });
  } catch (error) {
    onReloadError(error as Error);
  }

  return {
    kind: 'file',
    add: (key) =>
      change((keys) => ({ keys: [...keys.filter(({ id }) => id !== key.id), key], result: undefined })),
    findByHash: async (hash) => index.findByHash(hash),
    get: async (id) => index.get(id),
    list: async () => index.all(),
    revoke: (id, at) =>
      change((keys) => {
        const found = keys.find((key) => key.id === id);
        if (!found) return { keys, result: undefined };
        const next = revoked(found, at);
        return { keys: keys.map((key) => (key.id === id ? next : key)), result: next };
      }),
    async close() {
      watcher?.close();
      await queue;
    },
  };
}
