// An empty PGlite cluster, made once per PGlite version (by `npm install`'s postinstall, see
// gateway/bin/prepare.js) and copied into a new data directory: a fresh PGlite runs initdb in
// WebAssembly, about 2.6 s of CPU on a first `npm start`; a copy and an open take about 0.3 s.
import { cpSync, existsSync, readFileSync } from 'node:fs';
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const READY = 'PORTICO_TEMPLATE_READY';

function pgliteVersion(): string {
  const manifest = join(ROOT, 'node_modules', '@electric-sql', 'pglite', 'package.json');
  return (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
}

/** Where this PGlite version's template lives. */
export function pgliteTemplateDir(): string {
  return join(ROOT, 'node_modules', '.cache', 'portico', `pglite-${pgliteVersion()}`);
}

/** Builds the template unless it is there; returns its directory. */
export async function preparePgliteTemplate(): Promise<string> {
  const template = pgliteTemplateDir();
  if (existsSync(join(template, READY))) return template;
  const building = `${template}.building-${process.pid}`;
  await rm(building, { recursive: true, force: true });
  const pglite = new PGlite({ dataDir: building });
  await pglite.waitReady;
  await pglite.close();
  await writeFile(join(building, READY), new Date().toISOString());
  await rm(template, { recursive: true, force: true });
  await rename(building, template);
  return template;
}

/**
 * Seeds a data directory that holds no cluster yet from the template, when there is one; true
 * when it did. A directory with a cluster, or no template, is left as it is (PGlite runs initdb).
 */
export async function seedFromTemplate(dataDir: string): Promise<boolean> {
  const template = pgliteTemplateDir();
  if (existsSync(join(dataDir, 'PG_VERSION')) || !existsSync(join(template, READY))) return false;
  await mkdir(dataDir, { recursive: true });
  if ((await readdir(dataDir)).length > 0) return false;
  // Synchronous on purpose: about a thousand small files, where fs.promises.cp took 0.5-0.9 s
  // against 0.1-0.25 s, and nothing else waits on this process's loop before its database opens.
  cpSync(template, dataDir, { recursive: true, filter: (source) => !source.endsWith(READY) });
  return true;
}
