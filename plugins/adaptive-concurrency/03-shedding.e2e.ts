// Done-when: one upstream's latency rises tenfold → its adaptive limit shrinks, the excess gets 503s
// at once (while that upstream has answered nothing), and another upstream keeps answering.
// The slow upstream holds its answers until the test releases them, so "at once" is an ordering,
// not a number of milliseconds.
import type { ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startTestGateway,
  echo,
  startUpstream,
  type TestGateway,
  type TestUpstream,
} from '../../testing/index.ts';

interface UpstreamState {
  limit: number;
  inflight: number;
  criticalCapacity: number;
}

async function until(condition: () => boolean, what: string, deadlineMs = 15_000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('adaptive-concurrency: one upstream slows down tenfold', () => {
  const BASE_LATENCY_MS = 20;
  let holding = false;
  const held: Array<() => void> = [];
  let slow: TestUpstream;
  let fast: TestUpstream;
  let gateway: TestGateway;

  beforeAll(async () => {
    slow = await startUpstream((req, res: ServerResponse) => {
      const answer = () => echo(req, res);
      if (holding) held.push(answer);
      else setTimeout(answer, BASE_LATENCY_MS);
    });
    fast = await startUpstream((req, res) => void setTimeout(() => echo(req, res), BASE_LATENCY_MS));
    gateway = await startTestGateway({
      upstreams: { slow: { url: slow.url, health: false }, fast: { url: fast.url, health: false } },
      routes: [
        { path: '/slow/{rest*}', upstream: 'slow' },
        {
          path: '/slow-critical/{rest*}',
          upstream: 'slow',
          plugins: { 'adaptive-concurrency': { critical: true } },
        },
        { path: '/fast/{rest*}', upstream: 'fast' },
      ],
      plugins: [
        {
          name: 'adaptive-concurrency',
          // Event-loop shedding is tested on its own; here a noisy machine must not shed for its own reasons.
          options: { initialLimit: 10, minLimit: 2, maxLimit: 40, criticalHeadroom: 0.1, eventLoop: false },
        },
      ],
    });
  });

  afterAll(async () => {
    held.splice(0).forEach((answer) => answer());
    await gateway?.stop();
    await slow?.close();
    await fast?.close();
  });

  async function state(): Promise<Record<string, UpstreamState>> {
    const body = (await (
      await fetch(`${gateway.adminUrl}/adaptive-concurrency`, { headers: gateway.adminHeaders })
    ).json()) as {
      upstreams: Record<string, UpstreamState>;
    };
    return body.upstreams;
  }

  function start(path: string) {
    const result: { status?: number; response?: Response } = {};
    const done = fetch(gateway.url + path).then(async (response) => {
      await response.clone().arrayBuffer();
      result.status = response.status;
      result.response = response;
    });
    return { result, done };
  }

  it('shrinks the slow upstream’s limit, sheds its excess at once with 503s, and keeps the other upstream answering', async () => {
    // 1. Baseline: saturating rounds at the normal latency; everything is admitted.
    for (let round = 0; round < 4; round++) {
      const statuses = await Promise.all(
        Array.from({ length: 10 }, () =>
          fetch(gateway.url + '/slow/x').then((r) => r.arrayBuffer().then(() => r.status)),
        ),
      );
      expect(statuses).toEqual(Array(10).fill(200));
    }
    const before = (await state())['slow']!;
    const fastBefore = (await state())['fast']!;
    expect(before.inflight).toBe(0);

    // 2. The slow upstream now holds every answer: exactly `limit` requests reach it, the rest get 503 at once.
    holding = true;
    slow.seen.length = 0;
    const excess = 15;
    const burst = Array.from({ length: before.limit + excess }, () => start('/slow/x'));
    await until(
      () =>
        slow.seen.length === before.limit &&
        burst.filter((call) => call.result.status !== undefined).length === excess,
      'the excess is answered',
    );
    const shedCalls = burst.filter((call) => call.result.status !== undefined);
    expect(shedCalls.map((call) => call.result.status)).toEqual(Array(excess).fill(503));
    const shedResponse = shedCalls[0]!.result.response!;
    expect(shedResponse.headers.get('retry-after')).toBe('1');
    expect(shedResponse.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(((await shedResponse.json()) as { detail: string }).detail).toBe(
      'upstream "slow" is at its concurrency limit; retry later',
    );

    // A critical route to the same upstream still gets in (headroom); a normal one does not.
    const critical = start('/slow-critical/x');
    await until(() => slow.seen.length === before.limit + 1, 'the critical request reached the upstream');
    const normal = start('/slow/x');
    await normal.done;
    expect(normal.result.status).toBe(503);

    // The other upstream is unaffected while the slow one still holds every answer. Rounds below half
    // its limit: the algorithm leaves an upstream that is not saturated alone, so noise cannot move it.
    const fastRound = Math.ceil(fastBefore.limit / 2) - 1;
    for (let round = 0; round < 4; round++) {
      const fastStatuses = await Promise.all(
        Array.from({ length: fastRound }, () =>
          fetch(gateway.url + '/fast/x').then((r) => r.arrayBuffer().then(() => r.status)),
        ),
      );
      expect(fastStatuses).toEqual(Array(fastRound).fill(200));
    }
    expect(fast.seen).toHaveLength(fastRound * 4);
    expect(held).toHaveLength(before.limit + 1);

    // 3. Answers come ten times (and more) slower than the baseline; then the limit has shrunk.
    await new Promise((resolve) => setTimeout(resolve, BASE_LATENCY_MS * 15));
    holding = false;
    held.splice(0).forEach((answer) => answer());
    await Promise.all([...burst.map((call) => call.done), critical.done]);
    expect(burst.filter((call) => call.result.status === 200)).toHaveLength(before.limit);
    expect(critical.result.status).toBe(200);

    const after = await state();
    expect(after['slow']!.limit).toBeLessThan(before.limit);
    expect(after['slow']!.inflight).toBe(0);
    expect(after['fast']!.limit).toBe(fastBefore.limit);

    const metrics = await (await fetch(`${gateway.adminUrl}/metrics`)).text();
    expect(metrics).toContain(
      `portico_adaptive_concurrency_rejected_total{upstream="slow",priority="normal"} ${excess + 1}`,
    );
    expect(metrics).toContain(`portico_adaptive_concurrency_limit{upstream="slow"} ${after['slow']!.limit}`);
    expect(metrics).not.toMatch(/portico_adaptive_concurrency_rejected_total\{upstream="fast"/);
  });
});
