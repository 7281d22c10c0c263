// What appointments offers the mobile BFF, checked against contracts/openapi/appointments.yaml:
// the changes feed, last-write-wins, notices, free slots, push devices (the outbox is exercised
// end to end in bff/mobile/push.e2e.ts). Also the changes feeds of programs and resources.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractClients, startTestServices } from '../testing/index.ts';
import type { ContractClient, TestServices, TestUser } from '../testing/index.ts';

let services: TestServices;
let api: Awaited<ReturnType<typeof contractClients>>;
let appointments: ContractClient;
let student: TestUser;
let staff: TestUser;

// A weekday a year ahead, 09:00 UTC.
const day = (() => {
  const date = new Date(Date.UTC(new Date().getUTCFullYear() + 1, 5, 1));
  while (date.getUTCDay() === 0 || date.getUTCDay() === 6) date.setUTCDate(date.getUTCDate() + 1);
  return date.toISOString().slice(0, 10);
})();
let slot = 0;
const nextSlot = () =>
  new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000 * 7 + ++slot * 1_800_000).toISOString();

beforeAll(async () => {
  services = await startTestServices();
  api = await contractClients(services.urls);
  appointments = api.appointments;
  [student, staff] = await Promise.all([services.createUser('student'), services.createUser('staff')]);
});
afterAll(async () => {
  await services?.stop();
});

const book = async (startsAt = nextSlot()) => {
  const response = await appointments.request('POST', '/appointments', {
    token: student.accessToken,
    json: { serviceType: 'counseling', startsAt },
  });
  expect(response.status).toBe(201);
  return response.body as { id: string; updatedAt: string };
};

describe('GET /appointments/changes', () => {
  it('lists what changed after the cursor, once each, in change order, paged', async () => {
    const start = await appointments.request('GET', '/appointments/changes', { token: student.accessToken });
    const since = start.body.cursor as number;
    const [a, b, c] = [await book(), await book(), await book()];
    await appointments.request('DELETE', `/appointments/${a.id}`, { token: student.accessToken });
    const first = await appointments.request('GET', `/appointments/changes?since=${since}&limit=2`, {
      token: student.accessToken,
    });
    expect(first.body.items.map((item: { id: string }) => item.id)).toEqual([b.id, c.id]);
    expect(first.body.hasMore).toBe(true);
    const second = await appointments.request('GET', `/appointments/changes?since=${first.body.cursor}`, {
      token: student.accessToken,
    });
    expect(second.body.items.map((item: { id: string; status: string }) => [item.id, item.status])).toEqual([
      [a.id, 'cancelled'],
    ]);
    expect(second.body.hasMore).toBe(false);
    const other = await services.createUser('student');
    const theirs = await appointments.request('GET', `/appointments/changes?since=${since}`, {
      token: other.accessToken,
    });
    expect(theirs.body.items).toEqual([]);
  });
});

describe('PUT /appointments/{id} with writtenAt', () => {
  it('refuses a write older than the last one with 409 stale-write and the current appointment', async () => {
    const booked = await book();
    // After the booking (the last write so far, at the server's time), and one before it.
    const later = new Date(Date.parse(booked.updatedAt) + 1).toISOString();
    const earlier = new Date(Date.parse(booked.updatedAt) - 5000).toISOString();
    const applied = await appointments.request('PUT', `/appointments/${booked.id}`, {
      token: student.accessToken,
      json: { notes: 'later', writtenAt: later },
    });
    expect(applied.status).toBe(200);
    const stale = await appointments.request('PUT', `/appointments/${booked.id}`, {
      token: student.accessToken,
      json: { notes: 'earlier', writtenAt: earlier },
    });
    expect(stale.status).toBe(409);
    expect(stale.body.code).toBe('stale-write');
    expect(stale.body.current.notes).toBe('later');
    const tie = await appointments.request('PUT', `/appointments/${booked.id}`, {
      token: student.accessToken,
      json: { notes: 'same time, arrived later', writtenAt: later },
    });
    expect(tie.status).toBe(200);
    const alone = await appointments.request('PUT', `/appointments/${booked.id}`, {
      token: student.accessToken,
      json: { writtenAt: later },
    });
    expect(alone.status).toBe(400);
  });
});

describe('notices', () => {
  it('tells the student of a status change someone else made; reading it is idempotent', async () => {
    const booked = await book();
    const before = await appointments.request('GET', '/notices?unread=true', { token: student.accessToken });
    await appointments.request('PUT', `/appointments/${booked.id}`, {
      token: staff.accessToken,
      json: { status: 'confirmed' },
    });
    const after = await appointments.request('GET', '/notices?unread=true', { token: student.accessToken });
    expect(after.body.unreadCount).toBe(before.body.unreadCount + 1);
    const notice = after.body.items[0];
    expect(notice).toMatchObject({ appointmentId: booked.id, status: 'confirmed', readAt: null });
    const read = await appointments.request('POST', `/notices/${notice.id}/read`, {
      token: student.accessToken,
    });
    expect(read.body.readAt).not.toBeNull();
    const again = await appointments.request('POST', `/notices/${notice.id}/read`, {
      token: student.accessToken,
    });
    expect(again.body.readAt).toBe(read.body.readAt);
    expect(
      (await appointments.request('POST', `/notices/${notice.id}/read`, { token: staff.accessToken })).status,
    ).toBe(404);
    // The student's own cancellation makes no notice.
    await appointments.request('DELETE', `/appointments/${booked.id}`, { token: student.accessToken });
    const last = await appointments.request('GET', '/notices?unread=true', { token: student.accessToken });
    expect(last.body.unreadCount).toBe(before.body.unreadCount);
  });
});

describe('GET /slots', () => {
  it('lists the free slots of a weekday, without the held ones', async () => {
    const free = await appointments.request('GET', `/slots?serviceType=dental&date=${day}`, {
      token: student.accessToken,
    });
    expect(free.body.slots).toHaveLength(16);
    await appointments.request('POST', '/appointments', {
      token: student.accessToken,
      json: { serviceType: 'dental', startsAt: free.body.slots[0] },
    });
    const after = await appointments.request('GET', `/slots?serviceType=dental&date=${day}`, {
      token: student.accessToken,
    });
    expect(after.body.slots).toEqual(free.body.slots.slice(1));
  });
});

describe('devices', () => {
  it('registers a token (again: 200), lists and removes it', async () => {
    const body = { token: `token-${Date.now()}`, platform: 'android', appVersion: '1.0.0' };
    const created = await appointments.request('POST', '/devices', {
      token: student.accessToken,
      json: body,
    });
    expect(created.status).toBe(201);
    const again = await appointments.request('POST', '/devices', { token: student.accessToken, json: body });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(created.body.id);
    const listed = await appointments.request('GET', '/devices', { token: student.accessToken });
    expect(listed.body.items.map((device: { id: string }) => device.id)).toContain(created.body.id);
    expect(
      (await appointments.request('DELETE', `/devices/${created.body.id}`, { token: staff.accessToken }))
        .status,
    ).toBe(404);
    expect(
      (await appointments.request('DELETE', `/devices/${created.body.id}`, { token: student.accessToken }))
        .status,
    ).toBe(204);
  });
});

describe('programs and resources changes feeds', () => {
  it('start from 0 with everything and end with an empty page at the cursor', async () => {
    const all = await api.programs.request('GET', '/programs/changes?limit=500');
    expect(all.status).toBe(200);
    const empty = await api.programs.request('GET', `/programs/changes?since=${all.body.cursor}`);
    expect(empty.body).toEqual({ items: [], cursor: all.body.cursor, hasMore: false });
    const resources = await api.resources.request('GET', '/resources/changes', {
      token: student.accessToken,
    });
    expect(resources.status).toBe(200);
    expect((await api.resources.request('GET', '/resources/changes')).status).toBe(401);
  });
});

afterAll(() => {
  expect(appointments.checked).toBeGreaterThan(0);
});
