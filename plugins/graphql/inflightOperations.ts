// In-flight de-duplication of identical operations at the edge (Hive Gateway's
// `inboundInflightRequestDeduplication`): while one operation runs, an identical one (same key)
// waits for its result instead of running again. Nothing outlives the run: the entry goes the
// moment the result settles, so an answer, an error one included, is never kept for a later
// operation. The key is the caller's business (it must hold everything the answer depends on).

export interface SharedRun<T> {
  result: Promise<T>;
  /** True for the operation that runs; false for one that waits on it. */
  leader: boolean;
}

export interface InflightOperations<T> {
  /**
   * Runs `execute` unless a run with the same key is in flight, and then shares that run's result.
   * `signal` is this caller's: the run is aborted only once every caller sharing it has gone.
   */
  run(key: string, signal: AbortSignal, execute: (signal: AbortSignal) => Promise<T>): SharedRun<T>;
  /** Runs in flight now. */
  readonly size: number;
}

interface Entry<T> {
  result: Promise<T>;
  controller: AbortController;
  /** Callers still waiting (their signal not aborted). */
  waiting: number;
  listeners: Array<() => void>;
}

export function createInflightOperations<T>(): InflightOperations<T> {
  const inflight = new Map<string, Entry<T>>();

  const join = (entry: Entry<T>, signal: AbortSignal): void => {
    if (signal.aborted) return;
    entry.waiting += 1;
    const onAbort = () => {
      entry.waiting -= 1;
      if (entry.waiting === 0) entry.controller.abort(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    entry.listeners.push(() => signal.removeEventListener('abort', onAbort));
  };

  return {
    run(key, signal, execute) {
      const existing = inflight.get(key);
      if (existing) {
        join(existing, signal);
        return { result: existing.result, leader: false };
      }
      const entry: Entry<T> = {
        result: undefined as unknown as Promise<T>,
        controller: new AbortController(),
        waiting: 0,
        listeners: [],
      };
      join(entry, signal);
      if (entry.waiting === 0) entry.controller.abort(signal.reason);
      // The entry is gone before anyone sees the result: a later identical operation runs anew.
      entry.result = Promise.resolve()
        .then(() => execute(entry.controller.signal))
        .finally(() => {
          if (inflight.get(key) === entry) inflight.delete(key);
          for (const remove of entry.listeners) remove();
        });
      inflight.set(key, entry);
      return { result: entry.result, leader: true };
    },
    get size() {
      return inflight.size;
    },
  };
}
