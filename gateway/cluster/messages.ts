// What the primary and its workers say to each other over the cluster IPC channel. Every message
// carries `portico` so prom-client's own metric messages on the same channel are told apart.
import type { Worker } from 'node:cluster';

export interface AdminRequest {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  /** Base64 of the raw body. */
  payload: string;
}

export interface AdminResponse {
  statusCode: number;
  headers: Record<string, string | string[] | number | undefined>;
  /** Base64 of the raw body. */
  payload: string;
}

export interface WorkerReadiness {
  ready: boolean;
  draining: boolean;
  upstreams: Record<string, unknown>;
}

export type ToWorker =
  | { portico: 'drain' }
  /** Build this version beside the running one and say `prepared` (or `prepare-failed`); then wait. */
  | { portico: 'prepare'; id: number; shared: unknown }
  /** Every worker is prepared and the version is recorded: swap (then say `swapped`). */
  | { portico: 'commit'; id: number }
  /** Some worker could not build it, or the history refused it: drop the new build. */
  | { portico: 'abort'; id: number }
  /** The answer to `current?`: the shared document of the version the cluster runs (null: the file's). */
  | { portico: 'current'; shared: unknown }
  | { portico: 'rpc'; id: number; method: 'readiness' }
  | { portico: 'rpc'; id: number; method: 'admin'; request: AdminRequest };

export type FromWorker =
  | { portico: 'started'; url: string }
  /** A starting worker asks which version to build first. */
  | { portico: 'current?' }
  | { portico: 'prepared'; id: number }
  | { portico: 'prepare-failed'; id: number; issues: Array<{ path: string; message: string }> }
  | { portico: 'swapped'; id: number }
  | { portico: 'rpc-result'; id: number; value?: unknown; error?: string };

export function isFromWorker(message: unknown): message is FromWorker {
  return typeof message === 'object' && message !== null && 'portico' in message;
}

export function isToWorker(message: unknown): message is ToWorker {
  return typeof message === 'object' && message !== null && 'portico' in message;
}

export interface WorkerRpc {
  readiness(worker: Worker, timeoutMs: number): Promise<WorkerReadiness>;
  admin(worker: Worker, request: AdminRequest, timeoutMs: number): Promise<AdminResponse>;
  /** Feed every message from a worker here. */
  receive(message: FromWorker): void;
}

/** Request/response over IPC, one per primary (no module state): ids, timeouts, pending calls. */
export function createWorkerRpc(): WorkerRpc {
  let nextId = 0;
  const pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();

  function call(
    worker: Worker,
    call: { method: 'readiness' } | { method: 'admin'; request: AdminRequest },
    timeoutMs: number,
  ): Promise<unknown> {
    const id = nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`worker ${worker.id} did not answer ${call.method} within ${timeoutMs} ms`));
      }, timeoutMs);
      const settle = (error: Error | undefined, value?: unknown) => {
        clearTimeout(timer);
        pending.delete(id);
        if (error) reject(error);
        else resolve(value);
      };
      pending.set(id, { resolve: (value) => settle(undefined, value), reject: (error) => settle(error) });
      if (!worker.isConnected()) return settle(new Error(`worker ${worker.id} is gone`));
      const message: ToWorker = { portico: 'rpc', id, ...call };
      worker.send(message, (error: Error | null) => {
        if (error) settle(error);
      });
    });
  }

  return {
    readiness: (worker, timeoutMs) =>
      call(worker, { method: 'readiness' }, timeoutMs) as Promise<WorkerReadiness>,
    admin: (worker, request, timeoutMs) =>
      call(worker, { method: 'admin', request }, timeoutMs) as Promise<AdminResponse>,
    receive(message) {
      if (message.portico !== 'rpc-result') return;
      const waiter = pending.get(message.id);
      if (!waiter) return;
      if (message.error !== undefined) waiter.reject(new Error(message.error));
      else waiter.resolve(message.value);
    },
  };
}
