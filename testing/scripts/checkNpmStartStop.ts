// `npm start` under a process manager: starts it twice on one data directory (a first start, then a
// restart that finds its data), and each time reports the time to the first 200 through the
// gateway and the RSS of the whole process tree, then sends SIGTERM to npm's own pid, as a
// supervisor or container runtime does, and fails unless every Portico port is closed and no
// process of the stack is left within the drain timeout. Two more starts get their SIGTERM while
// starting: as soon as `portico dev` runs, and once its database process is up.
//
//   node gateway/bin/run-ts.js testing/scripts/checkNpmStartStop.ts [--port-offset N] [--data-dir DIR]
//
// --port-offset moves every port (8080, 9901, 7101-7104) by N, for a machine where they are taken.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

/* eslint-disable no-console -- a script: its report is its output */

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const BASE_PORTS = [8080, 9901, 7101, 7102, 7103, 7104];
/** portico.yaml's drain timeout, plus the services' own stop. */
const STOP_BOUND_MS = 40_000;
const START_BOUND_MS = 180_000;

const { values } = parseArgs({
  options: { 'port-offset': { type: 'string', default: '0' }, 'data-dir': { type: 'string' } },
});
const offset = Number(values['port-offset']);
const ports = BASE_PORTS.map((port) => port + offset);
const work = mkdtempSync(join(tmpdir(), 'portico-npm-start-'));
const dataDir = values['data-dir'] ?? join(work, 'data');

// The embedded config with every port moved (a no-op at offset 0).
let yaml = readFileSync(join(REPO, 'gateway/portico.yaml'), 'utf8');
for (const port of BASE_PORTS) yaml = yaml.replace(new RegExp(`\\b${port}\\b`, 'g'), String(port + offset));
const configFile = join(work, 'portico.yaml');
writeFileSync(configFile, yaml);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.setTimeout(1000, () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Every process below `root` (from /proc). */
function descendants(root: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone meanwhile
    }
  }
  const found: number[] = [];
  const walk = (pid: number) => {
    for (const [child, parent] of parents) {
      if (parent !== pid) continue;
      found.push(child);
      walk(child);
    }
  };
  walk(root);
  return found;
}

function rssMb(pids: number[]): number {
  let kb = 0;
  for (const pid of pids) {
    try {
      kb += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
    } catch {
      // gone meanwhile
    }
  }
  return Math.round(kb / 1024);
}

/** The stack's processes: npm, its `sh -c` and `portico dev` name the data dir; the database and services get it as DATA_DIR. */
function stackProcesses(only: 'all' | 'children' = 'all'): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      const environ = readFileSync(`/proc/${entry}/environ`, 'utf8');
      const child = environ.split('\0').includes(`DATA_DIR=${dataDir}`);
      if (child || (only === 'all' && cmdline.includes(dataDir))) found.push(Number(entry));
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return found;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function startAndStop(label: string, stopWhen?: 'dev-runs' | 'database-up'): Promise<string[]> {
  const problems: string[] = [];
  for (const port of ports) if (await portOpen(port)) problems.push(`port ${port} taken before the start`);
  if (problems.length > 0) return problems;
  const started = Date.now();
  const npm = spawn('npm', ['start', '--', '--config', configFile, '--data-dir', dataDir], {
    cwd: REPO,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  npm.stderr!.on('data', (data: Buffer) => (stderr += data.toString()));
  const npmExit = new Promise<number | null>((resolve) => npm.once('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${8080 + offset}/api/v1/programs`;
  let firstOk = 0;
  if (stopWhen) {
    // `portico dev` runs once npm's `sh -c` has a child; the database once a process has DATA_DIR.
    const reached = () =>
      stopWhen === 'dev-runs' ? descendants(npm.pid!).length >= 2 : stackProcesses('children').length >= 1;
    while (!reached() && Date.now() - started < START_BOUND_MS) await sleep(10);
    return stop(
      label,
      npm,
      npmExit,
      `SIGTERM to npm (pid ${npm.pid}) ${Date.now() - started} ms into the start`,
    );
  }
  while (Date.now() - started < START_BOUND_MS && npm.exitCode === null) {
    try {
      if ((await fetch(url, { signal: AbortSignal.timeout(2000) })).status === 200) {
        firstOk = Date.now() - started;
        break;
      }
    } catch {
      // not listening yet
    }
    await sleep(50);
  }
  if (!firstOk) {
    problems.push(`no 200 from ${url}; stderr:\n${stderr}`);
  }
  // Let the start settle (the banner is printed once every service is ready).
  while (firstOk && !stderr.includes('portico dev:') && Date.now() - started < START_BOUND_MS)
    await sleep(50);
  const tree = descendants(npm.pid!);
  console.log(
    `${label}: first 200 through the gateway after ${firstOk} ms; dev stack RSS ${rssMb([npm.pid!, ...tree])} MB over ${tree.length + 1} processes (npm ${rssMb([npm.pid!])} MB)`,
  );
  if (stderr.includes('first admin generated')) console.log(`${label}: a new admin password was printed`);
  return [...problems, ...(await stop(label, npm, npmExit, `SIGTERM to npm (pid ${npm.pid})`, tree))];
}

async function stop(
  label: string,
  npm: ReturnType<typeof spawn>,
  npmExit: Promise<number | null>,
  what: string,
  tree: number[] = [],
): Promise<string[]> {
  const problems: string[] = [];
  const signalled = Date.now();
  process.kill(npm.pid!, 'SIGTERM');
  await npmExit;
  for (;;) {
    const open = [];
    for (const port of ports) if (await portOpen(port)) open.push(port);
    const left = [...new Set([...tree.filter(alive), ...stackProcesses()])];
    if (open.length === 0 && left.length === 0) {
      console.log(`${label}: ${what}: every port closed, no process left, in ${Date.now() - signalled} ms`);
      break;
    }
    if (Date.now() - signalled > STOP_BOUND_MS) {
      problems.push(
        `${STOP_BOUND_MS} ms after SIGTERM to npm: ports still open [${open.join(', ')}], processes left [${left.join(', ')}]`,
      );
      for (const pid of left) process.kill(pid, 'SIGKILL');
      break;
    }
    await sleep(100);
  }
  return problems;
}

const problems = [
  ...(await startAndStop('first start')),
  ...(await startAndStop('restart')),
  ...(await startAndStop('stopped as soon as portico dev runs', 'dev-runs')),
  ...(await startAndStop('stopped once its database is up', 'database-up')),
];
if (problems.length > 0) {
  console.error(`checkNpmStartStop: FAILED\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log('checkNpmStartStop: ok');
