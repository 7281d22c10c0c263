// Runs the real `portico` CLI in a child process and reads its JSON log lines.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const PORTICO_BIN = fileURLToPath(new URL('../gateway/bin/portico.js', import.meta.url));

export interface PorticoProcess {
  child: ChildProcess;
  stdout: string[];
  stderr: () => string;
  /** Resolves with the first JSON log line that matches. */
  waitForLog(
    predicate: (line: Record<string, unknown>) => boolean,
    timeoutMs?: number,
  ): Promise<Record<string, unknown>>;
  exited: Promise<number | null>;
}

export function spawnPortico(args: string[], env: NodeJS.ProcessEnv = {}): PorticoProcess {
  const child = spawn(process.execPath, [PORTICO_BIN, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdout: string[] = [];
  let stderr = '';
  const waiters: Array<{
    predicate: (line: Record<string, unknown>) => boolean;
    resolve: (line: Record<string, unknown>) => void;
  }> = [];
  let buffered = '';
  child.stdout!.on('data', (data: Buffer) => {
    buffered += data.toString();
    let newline: number;
    while ((newline = buffered.indexOf('\n')) !== -1) {
      const line = buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
      stdout.push(line);
      let parsed: Record<string, unknown>;
      try {
        parsed = JSON.parse(line) as Record<string, unknown>;
      } catch {
        continue;
      }
      for (const waiter of [...waiters]) {
        if (waiter.predicate(parsed)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(parsed);
        }
      }
    }
  });
  child.stderr!.on('data', (data: Buffer) => (stderr += data.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    stdout,
    stderr: () => stderr,
    exited,
    waitForLog(predicate, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no matching log line; stderr: ${stderr}`)),
          timeoutMs,
        );
        waiters.push({
          predicate,
          resolve: (line) => {
            clearTimeout(timer);
            resolve(line);
          },
        });
        void exited.then((code) => reject(new Error(`portico exited with ${code}; stderr: ${stderr}`)));
      });
    },
  };
}
