// The session manager on the memory store with a clock the test moves: idle and absolute
// timeouts, refresh before expiry, and what a refused or unanswered refresh does.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createSessionCipher } from './sessionCipher.ts';
import { createSessionManager, type RefreshOutcome } from './sessions.ts';
import { memoryStore } from './stores/memory.ts';

const MINUTE = 60_000;

function setup() {
  const clock = { now: 1_000_000 };
  const now = () => clock.now;
  const store = memoryStore(now);
  const sessions = createSessionManager({
    store,
    cipher: createSessionCipher([{ id: 'k', key: randomBytes(32) }]),
    timeouts: { idleTimeout: 30 * MINUTE, absoluteTimeout: 120 * MINUTE, refreshBefore: MINUTE },
    now,
  });
  const refreshes: string[] = [];
  let next: RefreshOutcome = { kind: 'refused' };
  const refresh = async (token: string) => {
    refreshes.push(token);
    return next;
  };
  const answer = (outcome: RefreshOutcome) => (next = outcome);
  const tokens = (n: number, ttlSeconds = 15 * 60) => ({
    accessToken: `access-${n}`,
    refreshToken: `refresh-${n}`,
    expiresInSeconds: ttlSeconds,
  });
  return { clock, store, sessions, refresh, refreshes, answer, tokens };
}

const user = { id: 'u1', roles: ['student'] };

describe('web sessions', () => {
  it('uses the access token as it is until it expires within refreshBefore, then refreshes once', async () => {
    const { clock, sessions, refresh, refreshes, answer, tokens } = setup();
    const { id } = await sessions.create(user, tokens(1));
    clock.now += 10 * MINUTE;
    expect((await sessions.resume(id, refresh))?.record.accessToken).toBe('access-1');
    expect(refreshes).toEqual([]);
    clock.now += 4.5 * MINUTE;
    answer({ kind: 'tokens', tokens: tokens(2) });
    const refreshed = await sessions.resume(id, refresh);
    expect(refreshed?.record).toMatchObject({ accessToken: 'access-2', refreshToken: 'refresh-2' });
    expect(refreshes).toEqual(['refresh-1']);
    expect((await sessions.resume(id, refresh))?.record.accessToken).toBe('access-2');
    expect(refreshes).toHaveLength(1);
  });

  it('runs one refresh for concurrent requests of one session', async () => {
    const { clock, sessions, refresh, refreshes, answer, tokens } = setup();
    const { id } = await sessions.create(user, tokens(1));
    clock.now += 14.5 * MINUTE;
    answer({ kind: 'tokens', tokens: tokens(2) });
    const all = await Promise.all([1, 2, 3, 4].map(() => sessions.resume(id, refresh)));
    expect(all.map((session) => session?.record.accessToken)).toEqual([
      'access-2',
      'access-2',
      'access-2',
      'access-2',
    ]);
    expect(refreshes).toEqual(['refresh-1']);
  });

  it('ends the session when identity refuses the refresh, and does not extend it', async () => {
    const { clock, sessions, refresh, answer, tokens } = setup();
    const { id } = await sessions.create(user, tokens(1));
    clock.now += 14.5 * MINUTE;
    answer({ kind: 'refused' });
    expect(await sessions.resume(id, refresh)).toBeUndefined();
    answer({ kind: 'tokens', tokens: tokens(2) });
    expect(await sessions.resume(id, refresh)).toBeUndefined();
  });

  it('carries on with a still-valid token when identity does not answer, and ends once it has expired', async () => {
    const { clock, sessions, refresh, answer, tokens } = setup();
    const { id } = await sessions.create(user, tokens(1));
    clock.now += 14.5 * MINUTE;
    answer({ kind: 'unavailable' });
    expect((await sessions.resume(id, refresh))?.record.accessToken).toBe('access-1');
    clock.now += MINUTE;
    expect(await sessions.resume(id, refresh)).toBeUndefined();
  });

  it('ends after the idle timeout without use, and at the absolute timeout however used', async () => {
    const { clock, sessions, refresh, answer, tokens } = setup();
    answer({ kind: 'tokens', tokens: tokens(9, 3600) });
    const idle = await sessions.create(user, tokens(1, 3600));
    clock.now += 31 * MINUTE;
    expect(await sessions.resume(idle.id, refresh)).toBeUndefined();

    const busy = await sessions.create(user, tokens(2, 3600));
    for (let step = 0; step < 5; step++) {
      clock.now += 20 * MINUTE;
      expect(await sessions.resume(busy.id, refresh), `after ${(step + 1) * 20} min`).toBeDefined();
    }
    clock.now += 20 * MINUTE + 1;
    expect(await sessions.resume(busy.id, refresh)).toBeUndefined();
  });

  it('ignores malformed and unknown ids, and end() hands back the record once', async () => {
    const { sessions, refresh, tokens } = setup();
    expect(await sessions.resume(undefined, refresh)).toBeUndefined();
    expect(await sessions.resume('short', refresh)).toBeUndefined();
    expect(await sessions.resume('A'.repeat(43), refresh)).toBeUndefined();
    const { id } = await sessions.create(user, tokens(1));
    expect((await sessions.end(id))?.refreshToken).toBe('refresh-1');
    expect(await sessions.end(id)).toBeUndefined();
    expect(await sessions.resume(id, refresh)).toBeUndefined();
  });
});
