// How a cluster applies a version: every worker builds it beside its running build and says so
// (prepared); only when all have, and the history has recorded it, does each swap (commit). A
// worker that cannot build it aborts the version for all of them: the workers never run two
// versions because of a reload. One per primary; no module state.
import type { Worker } from 'node:cluster';
import { ConfigError, type ConfigIssue } from '../config/configIssues.ts';
import { VersionStoreError } from '../versions/versionStore.ts';
import type { FromWorker, ToWorker } from './messages.ts';

/** A whole gateway build per worker, on a busy machine: generous bounds, not timings. */
const PREPARE_MS = 60_000;
const SWAP_MS = 30_000;

type Phase = 'prepared' | 'swapped';

export interface ClusterReloads {
  /** Prepares `shared` on every worker, runs `beforeSwap`, then swaps all; throws (and aborts all) if any cannot. */
  apply(shared: unknown, beforeSwap?: () => Promise<void>): Promise<void>;
  /** Feed every worker message here. */
  receive(worker: Worker, message: FromWorker): void;
}

export function createClusterReloads(workers: () => Worker[]): ClusterReloads {
  let nextId = 0;
  const waiting = new Map<string, { resolve(): void; reject(error: Error): void }>();
  const key = (id: number, worker: Worker, phase: Phase) => `${id}:${worker.id}:${phase}`;

  const send = (worker: Worker, message: ToWorker) => {
    if (worker.isConnected()) worker.send(message);
  };

  function expect(id: number, worker: Worker, phase: Phase, timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const name = key(id, worker, phase);
      const timer = setTimeout(() => {
        waiting.delete(name);
        reject(new Error(`worker ${worker.id} was not ${phase} within ${timeoutMs / 1000} s`));
      }, timeoutMs);
      const exited = () => {
        waiting.delete(name);
        clearTimeout(timer);
        reject(new Error(`worker ${worker.id} exited`));
      };
      worker.once('exit', exited);
      waiting.set(name, {
        resolve() {
          clearTimeout(timer);
          worker.off('exit', exited);
          resolve();
        },
        reject(error) {
          clearTimeout(timer);
          worker.off('exit', exited);
          reject(error);
        },
      });
    });
  }

  async function applyTo(
    targets: Worker[],
    shared: unknown,
    beforeSwap?: () => Promise<void>,
  ): Promise<void> {
    const id = nextId++;
    const prepared = targets.map((worker) => expect(id, worker, 'prepared', PREPARE_MS));
    for (const worker of targets) send(worker, { portico: 'prepare', id, shared });
    const outcomes = await Promise.allSettled(prepared);
    const failures = outcomes.flatMap((outcome) =>
      outcome.status === 'rejected' ? [outcome.reason as Error] : [],
    );
    if (failures.length === 0) {
      try {
        await beforeSwap?.();
      } catch (error) {
        failures.push(error as Error);
      }
    }
    if (failures.length > 0) {
      for (const worker of targets) send(worker, { portico: 'abort', id });
      // The history could not record it: that is the answer (503), not the workers' aborts.
      const storeFailure = failures.find((failure) => failure instanceof VersionStoreError);
      if (storeFailure) throw storeFailure;
      throw new ConfigError(
        failures.flatMap((failure) =>
          failure instanceof ConfigError ? failure.issues : [{ path: '', message: failure.message }],
        ),
      );
    }
    const swapped = targets.map((worker) => expect(id, worker, 'swapped', SWAP_MS));
    for (const worker of targets) send(worker, { portico: 'commit', id });
    await Promise.all(swapped);
  }

  return {
    async apply(shared, beforeSwap) {
      const targets = workers();
      await applyTo(targets, shared, beforeSwap);
      // A worker that started meanwhile built the previous version: bring it along.
      const late = workers().filter((worker) => !targets.includes(worker));
      if (late.length > 0) await applyTo(late, shared);
    },
    receive(worker, message) {
      if (message.portico === 'prepared' || message.portico === 'swapped')
        waiting.get(key(message.id, worker, message.portico))?.resolve();
      else if (message.portico === 'prepare-failed')
        waiting
          .get(key(message.id, worker, 'prepared'))
          ?.reject(new ConfigError(message.issues as ConfigIssue[]));
    },
  };
}
