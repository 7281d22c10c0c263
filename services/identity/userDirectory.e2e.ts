// GET /auth/users: names and roles by id for anyone signed in (the web dashboard shows whom a
// student meets), and one role's members for staff and admins (the routing queue's staff picker).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractClients, startTestServices } from '../testing/index.ts';
import type { ContractClient, TestServices } from '../testing/index.ts';

let services: TestServices;
let identity: ContractClient;

beforeAll(async () => {
  services = await startTestServices();
  identity = (await contractClients(services.urls)).identity;
});
afterAll(async () => {
  await services?.stop();
});

describe('GET /auth/users', () => {
  it('gives names and roles by id, never emails, to anyone signed in', async () => {
    const student = await services.createUser('student', { name: 'Stu Dent' });
    const staff = await services.createUser('staff', { name: 'Sta Ff' });
    const response = await identity.request(
      'GET',
      `/auth/users?ids=${staff.id},${staff.id},00000000-0000-4000-8000-000000000000`,
      {
        token: student.accessToken,
      },
    );
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ items: [{ id: staff.id, name: 'Sta Ff', roles: ['staff'] }] });
    expect(JSON.stringify(response.body)).not.toContain('@');
  });

  it('lists a role for staff and admins only', async () => {
    const student = await services.createUser('student');
    const staff = await services.createUser('staff', { name: 'Another Staff' });
    const listed = await identity.request('GET', '/auth/users?role=staff', { token: staff.accessToken });
    expect(listed.status).toBe(200);
    expect(listed.body.items).toEqual(
      expect.arrayContaining([{ id: staff.id, name: 'Another Staff', roles: ['staff'] }]),
    );
    expect(
      (await identity.request('GET', '/auth/users?role=staff', { token: student.accessToken })).status,
    ).toBe(403);
  });

  it('wants exactly one of ids or role, valid ids, and a token', async () => {
    const user = await services.createUser('admin');
    for (const query of ['', '?ids=nope', '?ids=,', `?ids=${user.id}&role=staff`]) {
      expect(
        (await identity.request('GET', `/auth/users${query}`, { token: user.accessToken })).status,
        query,
      ).toBe(400);
    }
    expect((await identity.request('GET', `/auth/users?ids=${user.id}`)).status).toBe(401);
  });
});
