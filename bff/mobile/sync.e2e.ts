// Offline replay, last-write-wins and delta sync with scripted phones against real services
// through a real gateway (the "Done when" of issue 13).
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RESYNC_REQUIRED, type MobileAppointment } from '../../contracts/mobile/index.ts';
import { contractClients, type ContractClient, type TestUser } from '../../services/testing/index.ts';
import { mobileAppointment, type Appointment } from './compact.ts';
import { ConnectionDropped, ScriptedPhone } from './testing/scriptedPhone.ts';
import { startMobileStack, type MobileStack } from './testing/startMobileStack.ts';

let stack: MobileStack;
let api: Awaited<ReturnType<typeof contractClients>>;
let appointments: ContractClient;
const phones: ScriptedPhone[] = [];

let slot = 0;
const nextSlot = () =>
  new Date(Date.UTC(new Date().getUTCFullYear() + 1, 4, 3, 9) + ++slot * 30 * 60_000).toISOString();
const DAY_MS = 24 * 3_600_000;

beforeAll(async () => {
  // A generous deadline: on a loaded machine a call past a 2 s deadline is answered retryable and
  // applied on the next replay, which is right but not what these tests are about.
  stack = await startMobileStack({ bffOptions: { sync: { pageSize: 30 }, deadline: '15s' } });
  api = await contractClients(stack.services.urls);
  appointments = api.appointments;
});
afterAll(async () => {
  for (const phone of phones) phone.close();
  await stack?.stop();
});

function phoneOf(user: TestUser, options: { name?: string; clockOffsetMs?: number } = {}) {
  const phone = new ScriptedPhone({ gatewayUrl: stack.gateway.url, token: user.accessToken, ...options });
  phones.push(phone);
  return phone;
}

async function book(user: TestUser): Promise<Appointment> {
  const response = await appointments.request('POST', '/appointments', {
    token: user.accessToken,
    json: { serviceType: 'counseling', startsAt: nextSlot() },
  });
  expect(response.status).toBe(201);
  return response.body as Appointment;
}

/** What the server holds for the user, in the phone's shape: every appointment not cancelled or declined. */
async function serverState(user: TestUser): Promise<Map<string, MobileAppointment>> {
  const state = new Map<string, MobileAppointment>();
  let cursor: string | null = null;
  do {
    const page = await appointments.request(
      'GET',
      `/appointments?limit=100${cursor ? `&cursor=${cursor}` : ''}`,
      {
        token: user.accessToken,
      },
    );
    for (const item of page.body.items as Appointment[])
      if (item.status !== 'cancelled' && item.status !== 'declined')
        state.set(item.id, mobileAppointment(item));
    cursor = page.body.nextCursor as string | null;
  } while (cursor);
  return state;
}

/** Waits until the phone's clock has moved on, so two edits never share a millisecond. */
async function tick(): Promise<void> {
  const start = Date.now();
  while (Date.now() <= start + 1) await new Promise((resolve) => setTimeout(resolve, 2));
}

async function eventsOf(ids: string[]): Promise<number> {
  const result = await stack.services.db.query<{ n: string }>(
    'select count(*) as n from appointments.appointment_events where appointment_id = any($1::uuid[])',
    [ids],
  );
  return Number(result.rows[0]!.n);
}

describe('offline replay', () => {
  it('applies 20 queued actions exactly once over three replays (one cut mid-response); the cache equals the server', async () => {
    const student = await stack.services.createUser('student');
    const staff = await stack.services.createUser('staff');
    const existing = await Promise.all(Array.from({ length: 9 }, () => book(student)));
    // A staff confirmation gives the student a notice to mark read.
    const confirmed = await appointments.request('PUT', `/appointments/${existing[8]!.id}`, {
      token: staff.accessToken,
      json: { status: 'confirmed' },
    });
    expect(confirmed.status).toBe(200);
    const notices = await appointments.request('GET', '/notices?unread=true', { token: student.accessToken });
    expect(notices.body.unreadCount).toBe(1);
    const programs = await api.programs.request('GET', '/programs?limit=2');
    expect(programs.body.items).toHaveLength(2);

    const phone = phoneOf(student);
    await phone.sync();
    expect(phone.cache.appointments.size).toBe(9);
    phone.goOffline();
    for (let i = 0; i < 8; i += 1)
      phone.act({ type: 'book', serviceType: 'physio', startsAt: nextSlot(), notes: `new ${i}` });
    for (let i = 0; i < 4; i += 1)
      phone.act({ type: 'editNotes', appointment: existing[i]!.id, notes: `edited ${i}` });
    for (let i = 4; i < 7; i += 1) phone.act({ type: 'cancel', appointment: existing[i]!.id });
    phone.act({ type: 'reschedule', appointment: existing[7]!.id, startsAt: nextSlot() });
    phone.act({ type: 'editNotes', appointment: existing[7]!.id, notes: 'moved and noted' });
    for (const program of programs.body.items as { id: string }[])
      phone.act({ type: 'register', program: program.id });
    phone.act({ type: 'markRead', notice: notices.body.items[0].id });
    expect(phone.queue).toHaveLength(20);
    const batch = [...phone.queue];
    await expect(phone.replay()).rejects.toThrow(/offline/);

    phone.goOnline();
    await expect(phone.replay({ dropMidResponse: true })).rejects.toBeInstanceOf(ConnectionDropped);
    expect(phone.queue).toHaveLength(20);
    const second = await phone.replay();
    expect(second.map((answer) => answer.status)).toEqual(new Array(20).fill('duplicate'));
    expect(second.map((answer) => answer.original?.status)).toEqual(new Array(20).fill('applied'));
    expect(phone.queue).toHaveLength(0);
    // The app lost its answers (restarted) and sends the same batch once more.
    phone.queue.push(...batch);
    const third = await phone.replay();
    expect(third.map((answer) => answer.status)).toEqual(new Array(20).fill('duplicate'));

    // Exactly once on the server: 8 bookings (not 16, 24), one audit event per edit.
    const state = await serverState(student);
    expect(state.size).toBe(9 + 8 - 3);
    expect(await eventsOf(existing.slice(0, 8).map((a) => a.id))).toBe(8 + 4 + 3 + 2);
    const registrations = await stack.services.db.query<{ n: string }>(
      'select count(*) as n from programs.registrations where user_id = $1',
      [student.id],
    );
    expect(Number(registrations.rows[0]!.n)).toBe(2);
    const unread = await appointments.request('GET', '/notices?unread=true', { token: student.accessToken });
    expect(unread.body.unreadCount).toBe(0);

    await phone.sync();
    expect(new Map([...phone.cache.appointments].sort())).toEqual(new Map([...state].sort()));
  });

  it('converges two devices editing one appointment offline on the later client timestamp', async () => {
    const student = await stack.services.createUser('student');
    const [first, second] = [await book(student), await book(student)];
    const a = phoneOf(student, { name: 'a' });
    const b = phoneOf(student, { name: 'b' });
    await a.sync();
    await b.sync();
    a.goOffline();
    b.goOffline();
    // first: the later edit arrives first.
    a.act({ type: 'editNotes', appointment: first.id, notes: 'a, earlier' });
    await tick();
    b.act({ type: 'editNotes', appointment: first.id, notes: 'b, later' });
    a.goOnline();
    b.goOnline();
    expect((await b.replay()).map((answer) => answer.status)).toEqual(['applied']);
    const [aFirst] = await a.replay();
    expect(aFirst!.status).toBe('conflict');
    // The loser's cache takes the winner's version from the answer.
    expect(a.cache.appointments.get(first.id)!.notes).toBe('b, later');
    // second: the later edit arrives last.
    a.goOffline();
    b.goOffline();
    a.act({ type: 'editNotes', appointment: second.id, notes: 'a, earlier' });
    await tick();
    b.act({ type: 'editNotes', appointment: second.id, notes: 'b, later' });
    a.goOnline();
    b.goOnline();
    expect((await a.replay()).map((answer) => answer.status)).toEqual(['applied']);
    expect((await b.replay()).map((answer) => answer.status)).toEqual(['applied']);
    await a.sync();
    await b.sync();
    const state = await serverState(student);
    expect(state.get(first.id)!.notes).toBe('b, later');
    expect(state.get(second.id)!.notes).toBe('b, later');
    expect(new Map([...a.cache.appointments].sort())).toEqual(new Map([...state].sort()));
    expect(new Map([...b.cache.appointments].sort())).toEqual(new Map([...state].sort()));
  });

  it('does not let a clock one day ahead win against later edits', async () => {
    const student = await stack.services.createUser('student');
    const [first, second] = [await book(student), await book(student)];
    const fast = phoneOf(student, { name: 'fast', clockOffsetMs: DAY_MS });
    const honest = phoneOf(student, { name: 'honest' });
    fast.goOffline();
    honest.goOffline();
    fast.act({ type: 'editNotes', appointment: first.id, notes: 'fast clock' });
    fast.act({ type: 'editNotes', appointment: second.id, notes: 'fast clock' });
    // Well past the one-way latency of a request, the accuracy of the clock correction (README).
    await new Promise((resolve) => setTimeout(resolve, 1500));
    honest.act({ type: 'editNotes', appointment: first.id, notes: 'honest, later' });
    honest.act({ type: 'editNotes', appointment: second.id, notes: 'honest, later' });
    fast.goOnline();
    honest.goOnline();
    // The fast phone replays first; the later honest edits still win over its day-ahead claim
    // (uncorrected, it would count at its arrival, after them, and they would conflict).
    expect((await fast.replay()).map((answer) => answer.status)).toEqual(['applied', 'applied']);
    expect((await honest.replay()).map((answer) => answer.status)).toEqual(['applied', 'applied']);
    fast.act({ type: 'editNotes', appointment: second.id, notes: 'fast clock again' });
    // This edit is later in real time than honest's: it wins, at its corrected time.
    expect((await fast.replay()).map((answer) => answer.status)).toEqual(['applied']);
    const state = await serverState(student);
    expect(state.get(first.id)!.notes).toBe('honest, later');
    expect(state.get(second.id)!.notes).toBe('fast clock again');
    // An edit claiming a time a day ahead, with no sentAt to correct it by, counts at its arrival.
    const stale = await fast.request('POST', '/mobile/v1/sync/actions', {
      json: {
        actions: [
          {
            key: `fast-no-sentAt-${Date.now()}`,
            type: 'editNotes',
            appointment: first.id,
            notes: 'claims tomorrow',
            at: new Date(Date.now() - 60_000 + DAY_MS).toISOString(),
          },
        ],
      },
    });
    expect(stale.json.results[0].status).toBe('applied');
    const later = await honest.request('POST', '/mobile/v1/sync/actions', {
      json: {
        actions: [
          {
            key: `honest-${Date.now()}`,
            type: 'editNotes',
            appointment: first.id,
            notes: 'after it',
            at: new Date(Date.now() + 1000).toISOString(),
          },
        ],
      },
    });
    expect(later.json.results[0].status).toBe('applied');
  });

  it('answers a reused key with a different action as rejected, and a bad batch with 400', async () => {
    const student = await stack.services.createUser('student');
    const booked = await book(student);
    const phone = phoneOf(student);
    const key = `reuse-${Date.now()}`;
    const at = new Date().toISOString();
    const send = (notes: string) =>
      phone.request('POST', '/mobile/v1/sync/actions', {
        json: { actions: [{ key, at, type: 'editNotes', appointment: booked.id, notes }] },
      });
    expect((await send('one')).json.results[0].status).toBe('applied');
    const reused = (await send('two')).json.results[0];
    expect(reused.status).toBe('rejected');
    expect(reused.problem.status).toBe(422);
    const bad = await phone.request('POST', '/mobile/v1/sync/actions', {
      json: { actions: [{ type: 'fly' }] },
    });
    expect(bad.status).toBe(400);
    expect(bad.headers['content-type']).toContain('application/problem+json');
  });
});

describe('delta sync', () => {
  it('after 100 changes returns exactly those changes and the tombstones, over several pages', async () => {
    const student = await stack.services.createUser('student');
    const admin = await stack.services.adminToken();
    const before = await Promise.all(Array.from({ length: 20 }, () => book(student)));
    const phone = phoneOf(student);
    await phone.sync();
    const resourcesBefore = phone.cache.resources.size;
    const programsBefore = phone.cache.programs.size;
    expect(phone.cache.appointments.size).toBe(20);

    // 100 changes: 50 bookings, 20 cancellations, 20 notes edits, 10 published resources.
    const booked: Appointment[] = [];
    for (let i = 0; i < 50; i += 1) booked.push(await book(student));
    for (const appointment of before)
      expect(
        (
          await appointments.request('DELETE', `/appointments/${appointment.id}`, {
            token: student.accessToken,
          })
        ).status,
      ).toBe(204);
    for (const appointment of booked.slice(0, 20)) {
      const edited = await appointments.request('PUT', `/appointments/${appointment.id}`, {
        token: student.accessToken,
        json: { notes: `note ${appointment.id}` },
      });
      expect(edited.status).toBe(200);
    }
    const published: string[] = [];
    for (let i = 0; i < 10; i += 1) {
      const bytes = Buffer.from(`%PDF-1.7\n% resource ${i} ${Date.now()}\n%%EOF\n`);
      const data = new FormData();
      data.set('title', `Guide ${i}`);
      data.set('file', new Blob([new Uint8Array(bytes)], { type: 'application/pdf' }), `guide-${i}.pdf`);
      const response = await api.resources.request('POST', '/resources', { token: admin, body: data });
      expect(response.status).toBe(201);
      published.push(response.body.id as string);
      expect(response.body.etag).toBe(`"${createHash('sha256').update(bytes).digest('hex')}"`);
    }

    const pages = await phone.sync();
    expect(pages.length).toBeGreaterThan(1);
    const changed = pages.flatMap((page) => page.appointments.changed);
    const deleted = pages.flatMap((page) => page.appointments.deleted);
    expect(changed.map((a) => a.id).sort()).toEqual(booked.map((a) => a.id).sort());
    expect(deleted.map((t) => t.id).sort()).toEqual(before.map((a) => a.id).sort());
    expect(deleted.every((t) => t.why === 'cancelled')).toBe(true);
    const notes = new Map(changed.map((a) => [a.id, a.notes]));
    for (const appointment of booked.slice(0, 20))
      expect(notes.get(appointment.id)).toBe(`note ${appointment.id}`);
    const resources = pages.flatMap((page) => page.resources.changed);
    expect(resources.map((r) => r.id).sort()).toEqual([...published].sort());
    expect(resources.every((r) => r.sha256.length === 64 && r.etag === `"${r.sha256}"`)).toBe(true);
    expect(pages.flatMap((page) => page.programs.changed)).toEqual([]);
    expect(phone.cache.resources.size).toBe(resourcesBefore + 10);
    expect(phone.cache.programs.size).toBe(programsBefore);
    expect(new Map([...phone.cache.appointments].sort())).toEqual(
      new Map([...(await serverState(student))].sort()),
    );

    // Nothing changed since: an empty page.
    const [quiet] = await phone.sync();
    expect(quiet!.appointments.changed).toEqual([]);
    expect(quiet!.appointments.deleted).toEqual([]);
  });

  it('asks for a full resync with a clear code for an unknown or foreign cursor', async () => {
    const [one, two] = [
      await stack.services.createUser('student'),
      await stack.services.createUser('student'),
    ];
    const phone = phoneOf(one);
    await phone.sync();
    const foreign = await phoneOf(two).request(
      'GET',
      `/mobile/v1/sync?since=${encodeURIComponent(phone.cache.cursor!)}`,
    );
    expect(foreign.status).toBe(410);
    expect(foreign.json.code).toBe(RESYNC_REQUIRED);
    const garbage = await phone.request('GET', '/mobile/v1/sync?since=not-a-cursor');
    expect(garbage.status).toBe(410);
    expect(garbage.headers['content-type']).toContain('application/problem+json');
  });

  it('keeps the cursor of a part whose service is down and says so', async () => {
    const student = await stack.services.createUser('student');
    const phone = phoneOf(student);
    await phone.sync();
    await stack.programsLink.kill();
    try {
      const [page] = await phone.sync();
      expect(page!.unavailable).toEqual(['programs']);
    } finally {
      await stack.programsLink.revive();
    }
  });
});
