// Blobs in a local directory. Uploads land in `incoming/` (hapi streams multipart files there)
// and are moved into place with a rename, so a blob is either complete or absent.
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { ReadStream } from 'node:fs';
import { mkdir, open, rename, rm, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';

export interface StoredBlob {
  key: string;
  size: number;
  sha256: string;
}

export interface LocalBlobStore {
  /** Where hapi should write incoming uploads (same filesystem as the blobs, for rename). */
  incomingDir: string;
  /** The first `count` bytes of a file, to check its magic number. */
  head(path: string, count: number): Promise<Buffer>;
  /** Moves an uploaded file into the store, hashing it on the way. */
  adopt(path: string): Promise<StoredBlob>;
  read(key: string, range?: { start: number; end: number }): ReadStream;
  discard(path: string): Promise<void>;
  /** Deletes the whole directory (for ephemeral stores). */
  destroy(): Promise<void>;
}

export async function createLocalBlobStore(root: string): Promise<LocalBlobStore> {
  const incomingDir = join(root, 'incoming');
  const blobsDir = join(root, 'blobs');
  await mkdir(incomingDir, { recursive: true });
  await mkdir(blobsDir, { recursive: true });
  const pathOf = (key: string) => {
    if (!/^[0-9a-f-]{36}$/.test(key)) throw new Error(`invalid blob key: ${key}`);
    return join(blobsDir, key);
  };

  return {
    incomingDir,
    async head(path, count) {
      const file = await open(path, 'r');
      try {
        const buffer = Buffer.alloc(count);
        const { bytesRead } = await file.read(buffer, 0, count, 0);
        return buffer.subarray(0, bytesRead);
      } finally {
        await file.close();
      }
    },
    async adopt(path) {
      const hash = createHash('sha256');
      await pipeline(createReadStream(path), hash);
      const key = randomUUID();
      await rename(path, pathOf(key));
      const { size } = await stat(pathOf(key));
      return { key, size, sha256: hash.digest('hex') };
    },
    read(key, range) {
      return createReadStream(pathOf(key), range);
    },
    async discard(path) {
      await unlink(path).catch(() => {});
    },
    async destroy() {
      await rm(root, { recursive: true, force: true });
    },
  };
}
