// portico dev's supervisor with real child processes: every service says it is ready, one that
// dies is restarted (after a backoff, logged), one that cannot start fails the start, and stop()
// ends every child, a process-group signal notwithstanding.
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { until } from '../../testing/until.ts';
import { superviseServices, type SupervisedServices } from './superviseServices.ts';

const FAKE = fileURLToPath(new URL('./fixtures/fakeService.ts', import.meta.url));
const FAST = { baseMs: 50, maxMs: 200, windowMs: 60_000 };

function capture(): { logger: pino.Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { logger, lines };
}

const alive = (pid: number | undefined) => {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

let running: SupervisedServices | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

describe('superviseServices', () => {
  it('starts each service in its own process, restarts one that dies, and stops them all', async () => {
    const { logger, lines } = capture();
    running = superviseServices(
      ['one', 'two'].map((name) => ({ name, entry: FAKE, env: { ...process.env, PORT: '0' } })),
      logger,
      FAST,
    );
    const urls = await running.ready;
    expect(Object.keys(urls).sort()).toEqual(['one', 'two']);
    const pids = running.pids();
    expect(new Set([pids.one, pids.two, process.pid]).size).toBe(3);
    expect(await (await fetch(urls.one!)).text()).toBe(String(pids.one));

    process.kill(pids.one!, 'SIGKILL');
    await until('one restarted', async () => lines.some((line) => line.event === 'service_restarted'));
    const exit = lines.find((line) => line.event === 'service_exit')!;
    expect(exit).toMatchObject({ service: 'one', pid: pids.one, signal: 'SIGKILL', level: 50 });
    expect(exit.restartInMs).toBe(FAST.baseMs);
    const restarted = running.pids().one;
    expect(restarted).not.toBe(pids.one);
    expect(running.pids().two).toBe(pids.two);

    // A signal to the whole process group reaches the children too: they wait for the supervisor.
    process.kill(restarted!, 'SIGTERM');
    process.kill(pids.two!, 'SIGINT');
    expect(await (await fetch(urls.two!)).text()).toBe(String(pids.two));

    await running.stop();
    running = undefined;
    expect([restarted, pids.two].filter(alive)).toEqual([]);
  });

  it('a service that exits before it is ready fails the start, naming it', async () => {
    const { logger } = capture();
    running = superviseServices(
      [
        { name: 'good', entry: FAKE, env: { ...process.env, PORT: '0' } },
        { name: 'broken', entry: FAKE, env: { ...process.env, FAKE_EXIT_CODE: '3' } },
      ],
      logger,
      FAST,
    );
    await expect(running.ready).rejects.toThrow(/broken exited \(code 3\) before it was ready/);
  });
});
