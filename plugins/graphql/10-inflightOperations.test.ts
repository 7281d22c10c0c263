// The in-flight sharing on its own (no server): who runs, who waits, when the run is aborted, and
// that nothing is kept once a run settles.
import { describe, expect, it } from 'vitest';
import { createInflightOperations } from './inflightOperations.ts';

/** A run the test settles itself, and the signal it was given. */
function controlled<T>() {
  let settle!: { resolve(value: T): void; reject(error: Error): void };
  let given: AbortSignal | undefined;
  const execute = (signal: AbortSignal) => {
    given = signal;
    return new Promise<T>((resolve, reject) => (settle = { resolve, reject }));
  };
  return { execute, settle: () => settle, signal: () => given };
}

describe('createInflightOperations', () => {
  it('runs the first of identical keys and shares its result with those that come while it runs', async () => {
    const inflight = createInflightOperations<string>();
    const run = controlled<string>();
    let runs = 0;
    const execute = (signal: AbortSignal) => ((runs += 1), run.execute(signal));
    const first = inflight.run('k', new AbortController().signal, execute);
    const second = inflight.run('k', new AbortController().signal, execute);
    const other = inflight.run('other', new AbortController().signal, async () => 'other');
    expect([first.leader, second.leader, other.leader]).toEqual([true, false, true]);
    await Promise.resolve();
    run.settle().resolve('answer');
    expect(await first.result).toBe('answer');
    expect(await second.result).toBe('answer');
    expect(await other.result).toBe('other');
    expect(runs).toBe(1);
    expect(inflight.size).toBe(0);
  });

  it('keeps no error: the next identical key after a failed run runs again', async () => {
    const inflight = createInflightOperations<string>();
    const failing = inflight.run('k', new AbortController().signal, async () => {
      throw new Error('subgraph down');
    });
    await expect(failing.result).rejects.toThrow('subgraph down');
    expect(inflight.size).toBe(0);
    const again = inflight.run('k', new AbortController().signal, async () => 'recovered');
    expect(again.leader).toBe(true);
    expect(await again.result).toBe('recovered');
  });

  it('aborts the run only once every caller sharing it has gone', async () => {
    const inflight = createInflightOperations<string>();
    const run = controlled<string>();
    const [a, b] = [new AbortController(), new AbortController()];
    const first = inflight.run('k', a.signal, run.execute);
    inflight.run('k', b.signal, run.execute);
    await Promise.resolve();
    a.abort();
    expect(run.signal()!.aborted).toBe(false);
    b.abort();
    expect(run.signal()!.aborted).toBe(true);
    run.settle().reject(new Error('aborted'));
    await expect(first.result).rejects.toThrow('aborted');
  });
});
