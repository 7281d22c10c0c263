// Portico runs its TypeScript without a build step. Through tsx, though, every module a process
// loads (node_modules included) makes a round trip to tsx's loader thread: about a second of CPU
// per process at start, and `portico dev` starts six. So the launchers bundle Portico's own code
// with esbuild (packages stay external and load natively) into node_modules/.cache/portico, once
// per change of the sources, and run the bundle. PORTICO_BUNDLE=0 runs from the sources through
// tsx instead; a bundle that cannot be built or written falls back to that too.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CACHE = join(ROOT, 'node_modules', '.cache', 'portico');
const MANIFEST = join(CACHE, 'manifest.json');
/** Older builds stay this long: a process that started on one may still load its chunks. */
const KEEP_OLD_BUILDS_MS = 24 * 60 * 60 * 1000;

/** The entry points the launchers run: the CLI and what `portico dev` forks. */
export const BUNDLE_ENTRIES = [
  'gateway/cli/main.ts',
  'services/identity/main.ts',
  'services/programs/main.ts',
  'services/appointments/main.ts',
  'services/resources/main.ts',
  'services/kit/db/pgliteHostMain.ts',
  'services/kit/db/prepareTemplateMain.ts',
];

/** Where a bundled source lives in a build: `services/programs/main.ts` → `…/services/programs/main.mjs`. */
export function bundledPath(dir, source) {
  return join(dir, relative(ROOT, join(ROOT, source)).replace(/\.ts$/, '.mjs'));
}

/** The key of the sources a manifest lists, as they are on disk now (undefined when one is gone). */
function keyOf(inputs, esbuildVersion) {
  const hash = createHash('sha256').update(`${esbuildVersion}\n${BUNDLE_ENTRIES.join('\n')}\n`);
  for (const input of [fileURLToPath(import.meta.url), ...inputs.map((path) => join(ROOT, path))]) {
    let facts;
    try {
      facts = statSync(input);
    } catch {
      return undefined;
    }
    hash.update(`${input}\0${facts.mtimeMs}\0${facts.size}\n`);
  }
  return hash.digest('hex').slice(0, 16);
}

function esbuildVersion() {
  const manifest = join(ROOT, 'node_modules', 'esbuild', 'package.json');
  return JSON.parse(readFileSync(manifest, 'utf8')).version;
}

/** `import.meta.url` of a bundled file would name the bundle: each source keeps its own. */
const sourceImportMeta = {
  name: 'source-import-meta',
  setup(build) {
    build.onLoad({ filter: /\.ts$/ }, async (args) => {
      const text = await readFile(args.path, 'utf8');
      const url = JSON.stringify(pathToFileURL(args.path).href);
      return { contents: text.replaceAll('import.meta.url', url), loader: 'ts' };
    });
  },
};

async function buildBundle(version) {
  const { build } = await import('esbuild');
  const scratch = join(CACHE, `tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: BUNDLE_ENTRIES,
    outbase: ROOT,
    outdir: scratch,
    outExtension: { '.js': '.mjs' },
    chunkNames: 'chunks/[name]-[hash]',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    sourcemap: 'linked',
    metafile: true,
    plugins: [sourceImportMeta],
    logLevel: 'silent',
  });
  const inputs = Object.keys(result.metafile.inputs).sort();
  const key = keyOf(inputs, version);
  if (!key) throw new Error('a source changed while it was bundled');
  const dir = join(CACHE, key);
  try {
    await rename(scratch, dir);
  } catch (error) {
    // Another launcher built the same sources first: use its build.
    await rm(scratch, { recursive: true, force: true });
    if (!existsSync(bundledPath(dir, BUNDLE_ENTRIES[0]))) throw error;
  }
  const manifest = `${MANIFEST}.${process.pid}`;
  await writeFile(manifest, JSON.stringify({ key, inputs }));
  await rename(manifest, MANIFEST);
  await pruneOldBuilds(key);
  return dir;
}

async function pruneOldBuilds(current) {
  const now = Date.now();
  for (const name of await readdir(CACHE)) {
    // Only builds (a key) and abandoned scratch builds: the PGlite template lives here too.
    if (name === current || !/^([0-9a-f]{16}|tmp-.*)$/.test(name)) continue;
    const path = join(CACHE, name);
    const facts = await stat(path).catch(() => undefined);
    if (facts && now - facts.mtimeMs > KEEP_OLD_BUILDS_MS) await rm(path, { recursive: true, force: true });
  }
}

async function ensureBundle() {
  if (process.env.PORTICO_BUNDLE === '0') return undefined;
  try {
    const version = esbuildVersion();
    const manifest = JSON.parse(await readFile(MANIFEST, 'utf8').catch(() => '{}'));
    if (Array.isArray(manifest.inputs) && manifest.key === keyOf(manifest.inputs, version)) {
      const dir = join(CACHE, manifest.key);
      if (existsSync(bundledPath(dir, BUNDLE_ENTRIES[0]))) return dir;
    }
    await mkdir(CACHE, { recursive: true });
    return await buildBundle(version);
  } catch (error) {
    console.error(
      `portico: running from the sources through tsx (no bundle: ${error.message.split('\n')[0]})`,
    );
    return undefined;
  }
}

/**
 * Runs a TypeScript entry point of the repository (a path relative to its root): from the bundle
 * when there is one, with source maps so stack traces name the sources, else through tsx.
 */
export async function runEntry(source) {
  const dir = await ensureBundle();
  if (dir) {
    // What `portico dev` forks its services from, and how a plugin loader knows tsx is not there.
    process.env.PORTICO_BUNDLE_DIR = dir;
    process.setSourceMapsEnabled(true);
    await import(pathToFileURL(bundledPath(dir, source)).href);
    return;
  }
  const { register } = await import('tsx/esm/api');
  register();
  await import(pathToFileURL(join(ROOT, source)).href);
}
