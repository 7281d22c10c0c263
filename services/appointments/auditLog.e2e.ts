// GET /appointments/events: the audit log the web BFF's admin view reads, and the reason a status
// change or reassignment records.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractClients, startTestServices } from '../testing/index.ts';
import type { ContractClient, TestServices, TestUser } from '../testing/index.ts';

let services: TestServices;
let appointments: ContractClient;
let student: TestUser;
let staff: TestUser;
let admin: TestUser;

beforeAll(async () => {
  services = await startTestServices();
  appointments = (await contractClients(services.urls)).appointments;
  [student, staff, admin] = await Promise.all([
    services.createUser('student'),
    services.createUser('staff'),
    services.createUser('admin'),
  ]);
});
afterAll(async () => {
  await services?.stop();
});

const startsAt = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();

describe('the appointments audit log', () => {
  it('records who did what with the reason, newest first, paged and filterable; admins only', async () => {
    const booked = await appointments.request('POST', '/appointments', {
      token: student.accessToken,
      json: { serviceType: 'audit-test', startsAt: startsAt(2) },
    });
    const id = booked.body.id as string;
    const assigned = await appointments.request('PUT', `/appointments/${id}`, {
      token: staff.accessToken,
      json: { staffId: staff.id, reason: 'my speciality' },
    });
    expect(assigned.body).toMatchObject({ staffId: staff.id });
    expect(assigned.body).not.toHaveProperty('reason');
    await appointments.request('PUT', `/appointments/${id}`, {
      token: staff.accessToken,
      json: { status: 'confirmed', reason: 'slot is free' },
    });
    const reasonOnly = await appointments.request('PUT', `/appointments/${id}`, {
      token: staff.accessToken,
      json: { reason: 'nothing else' },
    });
    expect(reasonOnly.status).toBe(400);

    const page = await appointments.request('GET', `/appointments/events?appointmentId=${id}&limit=2`, {
      token: admin.accessToken,
    });
    expect(page.status).toBe(200);
    expect(page.body.items).toHaveLength(2);
    expect(page.body.items[0]).toMatchObject({
      appointmentId: id,
      actorId: staff.id,
      fromStatus: 'requested',
      toStatus: 'confirmed',
      changes: { status: 'confirmed', reason: 'slot is free' },
    });
    expect(page.body.items[1]).toMatchObject({ changes: { staffId: staff.id, reason: 'my speciality' } });
    const rest = await appointments.request(
      'GET',
      `/appointments/events?appointmentId=${id}&limit=2&cursor=${page.body.nextCursor}`,
      { token: admin.accessToken },
    );
    expect(rest.body.items).toEqual([
      expect.objectContaining({ actorId: student.id, fromStatus: null, toStatus: 'requested' }),
    ]);
    expect(rest.body.nextCursor).toBeNull();

    const byStudent = await appointments.request('GET', `/appointments/events?actorId=${student.id}`, {
      token: admin.accessToken,
    });
    expect(byStudent.body.items.every((event: { actorId: string }) => event.actorId === student.id)).toBe(
      true,
    );

    for (const user of [student, staff]) {
      const refused = await appointments.request('GET', '/appointments/events', { token: user.accessToken });
      expect(refused.status).toBe(403);
    }
  });
});
