// Starts each side of a measurement as its own process, pinned to a core where the machine has
// more than one, so the load generator and the system under test don't share a core.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';

const RUN_TS = fileURLToPath(new URL('../../gateway/bin/run-ts.js', import.meta.url));

export interface Started {
  child: ChildProcess;
  port: number;
  /** Resident memory now, in bytes (from /proc). */
  rss(): number;
  /** CPU time used so far (user + system), in seconds (from /proc). */
  cpuSeconds(): number;
  stop(): Promise<void>;
}

export function canPin(): boolean {
  return cpus().length > 1 && spawnSync('sh', ['-c', 'command -v taskset']).status === 0;
}

/** Runs a TypeScript target, optionally pinned to `core`, and waits for its BENCH_READY line. */
export async function startTarget(script: string, env: NodeJS.ProcessEnv, core?: number): Promise<Started> {
  const command = [process.execPath, RUN_TS, fileURLToPath(new URL(script, import.meta.url))];
  const [file, ...args] =
    core !== undefined && canPin() ? ['taskset', '-c', String(core), ...command] : command;
  const child = spawn(file!, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  let stopping = false;
  // A target may name the process that does its work (a wrapper that spawns nginx, say).
  let measuredPid = child.pid!;
  const port = await new Promise<number>((resolve, reject) => {
    child.stderr!.on('data', (data: Buffer) => {
      stderr += data.toString();
      const match = /BENCH_READY (\d+)(?: (\d+))?/.exec(stderr);
      if (match) {
        if (match[2]) measuredPid = Number(match[2]);
        resolve(Number(match[1]));
      }
      const absent = /BENCH_ABSENT (.*)/.exec(stderr);
      if (absent) reject(new TargetAbsent(absent[1]!));
    });
    child.once('exit', (code) => {
      if (/BENCH_ABSENT/.test(stderr)) return;
      const error = new Error(`${script} exited with ${code}: ${stderr.slice(-2000)}`);
      reject(error);
      if (!stopping) console.error(`  ! ${error.message}`);
    });
  });
  return {
    child,
    port,
    // Summed over the process tree: nginx, for one, does its work in a child of its master.
    rss: () => processTree(measuredPid).reduce((sum, pid) => sum + residentBytes(pid), 0),
    cpuSeconds: () => processTree(measuredPid).reduce((sum, pid) => sum + cpuSecondsOf(pid), 0),
    stop: () =>
      new Promise<void>((resolve) => {
        stopping = true;
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      }),
  };
}

/** A target that cannot run on this machine (its tool is not installed): its row is marked absent. */
export class TargetAbsent extends Error {}

/** `pid` and all its descendants. */
export function processTree(pid: number): number[] {
  const tree = [pid];
  for (let index = 0; index < tree.length; index++) {
    try {
      const children = readFileSync(`/proc/${tree[index]}/task/${tree[index]}/children`, 'utf8').trim();
      if (children) tree.push(...children.split(' ').map(Number));
    } catch {
      // The process is gone: it has no children to add.
    }
  }
  return tree;
}

export function residentBytes(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /VmRSS:\s+(\d+) kB/.exec(status);
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

/** utime + stime of a process: how much CPU it burned, whatever else the machine was doing. */
export function cpuSecondsOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name; utime and stime are the 14th and 15th fields.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return 0;
  }
}

/** Pins this process (the load generator) to `core`. */
export function pinSelf(core: number): boolean {
  if (!canPin()) return false;
  return spawnSync('taskset', ['-pc', String(core), String(process.pid)]).status === 0;
}
