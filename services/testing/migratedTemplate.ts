// A PGlite data directory with every service's migrations applied, built once per machine (per
// migrations content) and copied for each test file: copying and opening takes about a second,
// a fresh PGlite plus migrations several. Parallel test workers build it once, under a lock dir.
import { createHash } from 'node:crypto';
import { cp, mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { migrate, openPGlite, pgliteDatabase } from '../kit/index.ts';
import { SERVICE_NAMES } from '../serviceCatalog.ts';

const SERVICES_DIR = fileURLToPath(new URL('..', import.meta.url));
const TEMPLATES_DIR = fileURLToPath(new URL('../../.data/test-templates', import.meta.url));
const READY = 'READY';
const STALE_LOCK_MS = 5 * 60_000;

async function migrationsFingerprint(): Promise<string> {
  const hash = createHash('sha256');
  for (const service of SERVICE_NAMES) {
    const dir = join(SERVICES_DIR, service, 'migrations');
    for (const file of (await readdir(dir)).sort()) {
      hash.update(`${service}/${file}\n`).update(await readFile(join(dir, file)));
    }
  }
  return hash.digest('hex').slice(0, 16);
}

async function build(target: string): Promise<void> {
  const building = `${target}.building-${process.pid}`;
  await rm(building, { recursive: true, force: true });
  const pglite = await openPGlite({ dataDir: building });
  const db = pgliteDatabase(pglite, true);
  for (const service of SERVICE_NAMES) {
    await migrate(db, service, join(SERVICES_DIR, service, 'migrations'));
  }
  await db.close();
  await writeFile(join(building, READY), new Date().toISOString());
  await rename(building, target);
}

/** Path of a ready template data dir (never modify it: copy it). */
export async function migratedTemplate(): Promise<string> {
  await mkdir(TEMPLATES_DIR, { recursive: true });
  const target = join(TEMPLATES_DIR, await migrationsFingerprint());
  const lock = `${target}.lock`;
  for (;;) {
    if (existsSync(join(target, READY))) return target;
    try {
      await mkdir(lock);
    } catch {
      // Another worker is building it: wait, unless its lock was abandoned.
      const age = Date.now() - (await stat(lock).catch(() => ({ mtimeMs: Date.now() }))).mtimeMs;
      if (age > STALE_LOCK_MS) await rm(lock, { recursive: true, force: true });
      await new Promise((resolve) => setTimeout(resolve, 250));
      continue;
    }
    try {
      if (!existsSync(join(target, READY))) await build(target);
    } finally {
      await rm(lock, { recursive: true, force: true });
    }
  }
}

/** A private copy of the template for one test file. */
export async function copyOfTemplate(destination: string): Promise<string> {
  await cp(await migratedTemplate(), destination, { recursive: true });
  return destination;
}
