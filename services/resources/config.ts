// Where resources keep their files: RESOURCES_BLOB_DIR, else under DATA_DIR, else under
// `.data/` when the database is a real (persistent) Postgres, else a temporary directory that
// lives as long as the in-memory database does.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export interface BlobLocation {
  root: string;
  /** True when the directory is ours alone and is deleted on stop. */
  ephemeral: boolean;
}

export async function blobLocation(env: NodeJS.ProcessEnv): Promise<BlobLocation> {
  if (env.RESOURCES_BLOB_DIR) return { root: resolve(env.RESOURCES_BLOB_DIR), ephemeral: false };
  if (env.DATA_DIR) return { root: join(resolve(env.DATA_DIR), 'blobs', 'resources'), ephemeral: false };
  if (env.DATABASE_URL) return { root: resolve('.data', 'blobs', 'resources'), ephemeral: false };
  return { root: await mkdtemp(join(tmpdir(), 'portico-resources-')), ephemeral: true };
}
