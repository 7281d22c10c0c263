import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractClients, startTestServices } from '../testing/index.ts';
import type { ContractClient, TestServices, TestUser } from '../testing/index.ts';

let services: TestServices;
let appointments: ContractClient;
let alice: TestUser;
let bob: TestUser;
let staff: TestUser;
let otherStaff: TestUser;

// Distinct future slots per test, so tests never collide on the slot constraint.
let slotCounter = 0;
function nextSlot(): string {
  slotCounter += 1;
  const start = new Date(Date.UTC(new Date().getUTCFullYear() + 1, 0, 1, 9, 0));
  return new Date(start.getTime() + slotCounter * 30 * 60_000).toISOString();
}

beforeAll(async () => {
  services = await startTestServices();
  appointments = (await contractClients(services.urls)).appointments;
  [alice, bob, staff, otherStaff] = await Promise.all([
    services.createUser('student'),
    services.createUser('student'),
    services.createUser('staff'),
    services.createUser('staff'),
  ]);
});
afterAll(async () => {
  await services?.stop();
});

async function book(student: TestUser, body: Record<string, unknown> = {}) {
  return appointments.request('POST', '/appointments', {
    token: student.accessToken,
    json: { serviceType: 'counseling', startsAt: nextSlot(), ...body },
  });
}

describe('booking', () => {
  it('books an appointment and lists it for its student', async () => {
    const booked = await book(alice, { notes: 'first visit' });
    expect(booked.status).toBe(201);
    expect(booked.body).toMatchObject({
      studentId: alice.id,
      status: 'requested',
      staffId: null,
      notes: 'first visit',
    });
    const list = await appointments.request('GET', '/appointments', { token: alice.accessToken });
    expect(list.body.items.map((a: { id: string }) => a.id)).toContain(booked.body.id);
  });

  it('gives exactly one 201 for 50 concurrent bookings of one slot, and 409 to the rest', async () => {
    const startsAt = nextSlot();
    const students = [alice, bob];
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        appointments.request('POST', '/appointments', {
          token: (students[i % 2] as TestUser).accessToken,
          json: { serviceType: 'medical', startsAt },
        }),
      ),
    );
    const statuses = results.map((result) => result.status);
    expect(statuses.filter((status) => status === 201)).toHaveLength(1);
    expect(statuses.filter((status) => status === 409)).toHaveLength(49);
    const rows = await services.db.query<{ n: number }>(
      `select count(*)::int as n from appointments.appointments where service_type = 'medical' and starts_at = $1`,
      [startsAt],
    );
    expect(rows.rows[0]?.n).toBe(1);
  });

  it('frees the slot once the booking is cancelled', async () => {
    const startsAt = nextSlot();
    const first = await book(alice, { startsAt });
    expect((await book(bob, { startsAt })).status).toBe(409);
    expect(
      (await appointments.request('DELETE', `/appointments/${first.body.id}`, { token: alice.accessToken }))
        .status,
    ).toBe(204);
    expect((await book(bob, { startsAt })).status).toBe(201);
  });

  it('rejects bad input with a 400 problem and non-students with 403', async () => {
    const past = await book(alice, { startsAt: '2001-01-01T10:00:00Z' });
    expect(past.status).toBe(400);
    expect(past.body.detail).toMatch(/startsAt: must be in the future/);
    const garbage = await book(alice, { startsAt: 'tomorrow', serviceType: '' });
    expect(garbage.status).toBe(400);
    expect(garbage.body.errors.map((e: { path: string }) => e.path).sort()).toEqual([
      'serviceType',
      'startsAt',
    ]);
    expect((await book(staff)).status).toBe(403);
    const anonymous = await appointments.request('POST', '/appointments', {
      json: { serviceType: 'x', startsAt: nextSlot() },
    });
    expect(anonymous.status).toBe(401);
  });
});

describe('object-level authorization', () => {
  it("answers 404 when a student reads, changes or cancels another student's appointment", async () => {
    const mine = await book(alice);
    const id = mine.body.id as string;
    expect(
      (await appointments.request('GET', `/appointments/${id}`, { token: bob.accessToken })).status,
    ).toBe(404);
    expect(
      (
        await appointments.request('PUT', `/appointments/${id}`, {
          token: bob.accessToken,
          json: { notes: 'x' },
        })
      ).status,
    ).toBe(404);
    expect(
      (await appointments.request('DELETE', `/appointments/${id}`, { token: bob.accessToken })).status,
    ).toBe(404);
    const bobsList = await appointments.request('GET', '/appointments', { token: bob.accessToken });
    expect(bobsList.body.items.map((a: { id: string }) => a.id)).not.toContain(id);
    // Same answer as an id that does not exist at all.
    const unknown = await appointments.request('GET', '/appointments/00000000-0000-4000-8000-000000000000', {
      token: bob.accessToken,
    });
    expect(unknown.status).toBe(404);
    expect(
      (await appointments.request('GET', `/appointments/${id}`, { token: alice.accessToken })).status,
    ).toBe(200);
  });

  it('shows staff what is routed to them and the unrouted queue, and admins everything', async () => {
    const routedToStaff = await book(alice, { staffId: staff.id });
    const routedToOther = await book(alice, { staffId: otherStaff.id });
    const unrouted = await book(bob);
    const ids = async (token: string) => {
      const list = await appointments.request('GET', '/appointments?limit=100', { token });
      return list.body.items.map((a: { id: string }) => a.id) as string[];
    };
    const staffSees = await ids(staff.accessToken);
    expect(staffSees).toEqual(expect.arrayContaining([routedToStaff.body.id, unrouted.body.id]));
    expect(staffSees).not.toContain(routedToOther.body.id);
    expect(
      (
        await appointments.request('GET', `/appointments/${routedToOther.body.id}`, {
          token: staff.accessToken,
        })
      ).status,
    ).toBe(404);
    const adminSees = await ids(await services.adminToken());
    expect(adminSees).toEqual(
      expect.arrayContaining([routedToStaff.body.id, routedToOther.body.id, unrouted.body.id]),
    );
  });

  it('pages with a cursor without repeating or skipping', async () => {
    const student = await services.createUser('student');
    const booked = [];
    for (let i = 0; i < 5; i += 1) booked.push((await book(student)).body.id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `?limit=2&cursor=${cursor}` : '?limit=2';
      const page = await appointments.request('GET', `/appointments${query}`, { token: student.accessToken });
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.items.map((a: { id: string }) => a.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(booked);
    const bad = await appointments.request('GET', '/appointments?cursor=%%%', { token: student.accessToken });
    expect(bad.status).toBe(400);
  });
});

describe('status routing and audit', () => {
  it('lets staff route and move an appointment through valid transitions only, auditing each change', async () => {
    const booked = await book(alice);
    const id = booked.body.id as string;
    const put = (token: string, json: object) =>
      appointments.request('PUT', `/appointments/${id}`, { token, json });

    expect((await put(alice.accessToken, { status: 'confirmed' })).status).toBe(409);
    expect((await put(alice.accessToken, { staffId: staff.id })).status).toBe(403);
    const routed = await put(staff.accessToken, { staffId: staff.id });
    expect(routed.body.staffId).toBe(staff.id);
    expect((await put(staff.accessToken, { status: 'completed' })).status).toBe(409);
    expect((await put(staff.accessToken, { status: 'confirmed' })).body.status).toBe('confirmed');
    expect((await put(staff.accessToken, { status: 'declined' })).status).toBe(409);
    expect((await put(staff.accessToken, { status: 'completed' })).body.status).toBe('completed');
    expect((await put(staff.accessToken, { status: 'cancelled' })).status).toBe(409);
    expect((await put(staff.accessToken, { notes: 'late edit' })).status).toBe(409);

    const audit = await services.db.query<{
      actor_id: string;
      from_status: string | null;
      to_status: string;
    }>(
      `select actor_id, from_status, to_status from appointments.appointment_events where appointment_id = $1 order by id`,
      [id],
    );
    expect(audit.rows).toEqual([
      { actor_id: alice.id, from_status: null, to_status: 'requested' },
      { actor_id: staff.id, from_status: 'requested', to_status: 'requested' },
      { actor_id: staff.id, from_status: 'requested', to_status: 'confirmed' },
      { actor_id: staff.id, from_status: 'confirmed', to_status: 'completed' },
    ]);
  });

  it('lets a student reschedule a requested appointment and cancel it, idempotently', async () => {
    const booked = await book(alice);
    const id = booked.body.id as string;
    const moved = await appointments.request('PUT', `/appointments/${id}`, {
      token: alice.accessToken,
      json: { startsAt: nextSlot() },
    });
    expect(moved.status).toBe(200);
    expect(moved.body.startsAt).not.toBe(booked.body.startsAt);
    expect(
      (await appointments.request('PUT', `/appointments/${id}`, { token: alice.accessToken, json: {} }))
        .status,
    ).toBe(400);
    expect(
      (await appointments.request('DELETE', `/appointments/${id}`, { token: alice.accessToken })).status,
    ).toBe(204);
    expect(
      (await appointments.request('DELETE', `/appointments/${id}`, { token: alice.accessToken })).status,
    ).toBe(204);
    expect(
      (await appointments.request('GET', `/appointments/${id}`, { token: alice.accessToken })).body.status,
    ).toBe('cancelled');
  });

  it('refuses a reschedule onto a taken slot with 409', async () => {
    const taken = await book(bob);
    const mine = await book(alice);
    const clash = await appointments.request('PUT', `/appointments/${mine.body.id}`, {
      token: alice.accessToken,
      json: { startsAt: taken.body.startsAt },
    });
    expect(clash.status).toBe(409);
  });
});

describe('GraphQL', () => {
  it('exposes appointments with stitching keys, under the same visibility', async () => {
    const booked = await book(alice);
    const query = async (token: string) => {
      const response = await fetch(`${services.urls.appointments}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({
          query: `{ appointmentsByIds(ids: ["${booked.body.id}"]) { id studentId programId status } }`,
        }),
      });
      return ((await response.json()) as { data: { appointmentsByIds: unknown[] } }).data.appointmentsByIds;
    };
    expect(await query(alice.accessToken)).toEqual([
      { id: booked.body.id, studentId: alice.id, programId: null, status: 'requested' },
    ]);
    expect(await query(bob.accessToken)).toEqual([null]);
  });

  it('checked every response against the contract', () => {
    expect(appointments.checked).toBeGreaterThan(80);
  });
});
