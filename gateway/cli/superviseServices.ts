// `portico dev`'s services: each domain service in its own child process (its `main.ts`), so one
// crash takes down one service and "kill a service" can be tried against the gateway. A service
// that dies after it was ready is restarted with a backoff, and each death is logged; one that
// cannot start at all stops the whole dev stack (it would not start on retry either).
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import {
  createRestartBackoff,
  DEFAULT_RESTART_BACKOFF,
  type RestartBackoffPolicy,
} from '../cluster/restartBackoff.ts';

const RUN_TS = fileURLToPath(new URL('../bin/run-ts.js', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** After asking a service to stop, how long it may take before it is killed. */
const STOP_GRACE_MS = 10_000;

export interface SupervisedService {
  name: string;
  /** Its `main.ts`. */
  entry: string;
  env: NodeJS.ProcessEnv;
  /** Stopped once every other one has (the database the others use). */
  stopLast?: boolean;
}

export interface SupervisedServices {
  /** Resolves with each service's URL once every service said it is ready. */
  ready: Promise<Record<string, string>>;
  /** Asks every service to stop (in-flight requests finish), kills one that outstays the grace. */
  stop(): Promise<void>;
  /** Current child pids by service (tests kill one). */
  pids(): Record<string, number | undefined>;
}

/** The service's entry in the launcher's bundle (gateway/bin/bundle.js), when it runs from one. */
function bundledEntry(entry: string): string | undefined {
  const dir = process.env.PORTICO_BUNDLE_DIR;
  if (!dir) return undefined;
  const path = join(dir, relative(ROOT, entry).replace(/\.ts$/, '.mjs'));
  return existsSync(path) ? path : undefined;
}

export function superviseServices(
  services: SupervisedService[],
  logger: Logger,
  policy: RestartBackoffPolicy = DEFAULT_RESTART_BACKOFF,
): SupervisedServices {
  const children = new Map<string, ChildProcess>();
  const timers = new Set<NodeJS.Timeout>();
  const urls: Record<string, string> = {};
  let stopping = false;
  let settleReady: { resolve(urls: Record<string, string>): void; reject(error: Error): void };
  const ready = new Promise<Record<string, string>>((resolve, reject) => {
    settleReady = { resolve, reject };
  });
  // A start failure is reported by whoever awaits `ready`; never an unhandled rejection.
  ready.catch(() => {});

  function spawn(service: SupervisedService, backoff: ReturnType<typeof createRestartBackoff>): void {
    const bundled = bundledEntry(service.entry);
    const child = fork(bundled ?? RUN_TS, bundled ? [] : [service.entry], {
      env: { ...service.env, PORTICO_SUPERVISED: '1' },
      execArgv: bundled ? ['--enable-source-maps'] : [],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    children.set(service.name, child);
    let wasReady = false;
    child.on('message', (message: { portico?: string; url?: string }) => {
      if (message?.portico !== 'service-ready') return;
      wasReady = true;
      const restarted = service.name in urls;
      urls[service.name] = message.url ?? '';
      logger.info(
        { event: restarted ? 'service_restarted' : 'service_ready', service: service.name, pid: child.pid },
        restarted ? 'service restarted' : 'service ready',
      );
      if (!restarted && Object.keys(urls).length === services.length) settleReady.resolve({ ...urls });
    });
    child.once('exit', (code, signal) => {
      if (children.get(service.name) === child) children.delete(service.name);
      if (stopping) return;
      const fields = { service: service.name, pid: child.pid, code, signal };
      if (!wasReady && !(service.name in urls)) {
        logger.fatal({ event: 'service_exit', ...fields }, 'service failed to start');
        settleReady.reject(
          new Error(
            `${service.name} exited (${signal ?? `code ${code}`}) before it was ready; see its log above`,
          ),
        );
        return;
      }
      const restartInMs = backoff.next();
      logger.error({ event: 'service_exit', ...fields, restartInMs }, 'service died; restarting it');
      const timer = setTimeout(() => {
        timers.delete(timer);
        if (!stopping) spawn(service, backoff);
      }, restartInMs);
      timers.add(timer);
    });
  }

  for (const service of services) spawn(service, createRestartBackoff(policy));

  return {
    ready,
    pids: () => Object.fromEntries(services.map(({ name }) => [name, children.get(name)?.pid])),
    async stop() {
      stopping = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      const stopOne = (child: ChildProcess) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          const kill = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
          child.once('exit', () => {
            clearTimeout(kill);
            resolve();
          });
          if (child.connected) child.send({ portico: 'service-stop' });
          else child.kill('SIGTERM');
        });
      for (const last of [false, true]) {
        const group = services.filter((service) => !!service.stopLast === last);
        await Promise.all(
          group.flatMap(({ name }) => {
            const child = children.get(name);
            return child ? [stopOne(child)] : [];
          }),
        );
      }
    },
  };
}
