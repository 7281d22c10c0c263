// Where `portico dev` keeps its data, and the admin token it generates there: the CLI finds that
// token without being told, so `npm start` then `portico keys ...` works out of the box.
import { fileURLToPath } from 'node:url';
import { join, resolve } from 'node:path';

export const DEFAULT_DEV_DATA_DIR = fileURLToPath(new URL('../../.data/dev', import.meta.url));

export const ADMIN_TOKEN_FILE_NAME = 'admin-token';

export function devDataDir(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return resolve(flag ?? env.PORTICO_DATA_DIR ?? DEFAULT_DEV_DATA_DIR);
}

export function devAdminTokenFile(dataDir: string): string {
  return join(dataDir, ADMIN_TOKEN_FILE_NAME);
}
