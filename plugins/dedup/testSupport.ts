// Helpers shared by the dedup tests: a gate that holds upstream answers until the test opens it,
// and a bounded wait for a condition (counts, never durations).
import type { ServerResponse } from 'node:http';

export interface Gate {
  /** Holds `answer` until open() (or runs it at once when already open). */
  hold(res: ServerResponse, answer: () => void): void;
  open(): void;
  held(): number;
}

export function createGate(): Gate {
  const waiting: Array<() => void> = [];
  let opened = false;
  return {
    hold(_res, answer) {
      if (opened) answer();
      else waiting.push(answer);
    },
    open() {
      opened = true;
      for (const answer of waiting.splice(0)) answer();
    },
    held: () => waiting.length,
  };
}

/** Polls `condition` until it holds; fails after a generous bound (a hang, not a timing assertion). */
export async function waitUntil(condition: () => boolean, what: string, bound = 20_000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > bound) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
