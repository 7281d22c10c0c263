// GET /resources/events: who published or changed which resource (the web BFF's audit view).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractClients, startTestServices } from '../testing/index.ts';
import type { ContractClient, TestServices, TestUser } from '../testing/index.ts';

let services: TestServices;
let resources: ContractClient;
let staff: TestUser;
let admin: TestUser;

beforeAll(async () => {
  services = await startTestServices();
  resources = (await contractClients(services.urls)).resources;
  [staff, admin] = await Promise.all([services.createUser('staff'), services.createUser('admin')]);
});
afterAll(async () => {
  await services?.stop();
});

function pdfForm(title: string): FormData {
  const data = new FormData();
  data.set('title', title);
  data.set('file', new Blob([Buffer.from('%PDF-1.4\n%%EOF\n')], { type: 'application/pdf' }), 'guide.pdf');
  return data;
}

describe('the resources audit log', () => {
  it('records publishing and every change with its actor, newest first; filterable; admins only', async () => {
    const published = await resources.request('POST', '/resources', {
      token: staff.accessToken,
      body: pdfForm('Sleep guide'),
    });
    expect(published.status).toBe(201);
    const id = published.body.id as string;
    const renamed = await resources.request('PUT', `/resources/${id}`, {
      token: admin.accessToken,
      json: { title: 'Sleep guide (2nd ed.)' },
    });
    expect(renamed.status).toBe(200);
    // A refused upload (not a PDF) leaves no event.
    const bad = new FormData();
    bad.set('title', 'x');
    bad.set('file', new Blob([Buffer.from('not a pdf')], { type: 'application/pdf' }), 'x.pdf');
    expect(
      (await resources.request('POST', '/resources', { token: staff.accessToken, body: bad })).status,
    ).toBe(415);

    const log = await resources.request('GET', `/resources/events?resourceId=${id}`, {
      token: admin.accessToken,
    });
    expect(log.status).toBe(200);
    expect(log.body.items).toEqual([
      expect.objectContaining({
        resourceId: id,
        actorId: admin.id,
        action: 'updated',
        changes: { title: 'Sleep guide (2nd ed.)' },
      }),
      expect.objectContaining({
        resourceId: id,
        actorId: staff.id,
        action: 'published',
        changes: expect.objectContaining({ title: 'Sleep guide', filename: 'guide.pdf' }),
      }),
    ]);
    const page = await resources.request('GET', `/resources/events?actorId=${staff.id}&limit=1`, {
      token: admin.accessToken,
    });
    expect(page.body.items).toHaveLength(1);
    expect(page.body.items[0]).toMatchObject({ actorId: staff.id, action: 'published' });

    expect((await resources.request('GET', '/resources/events', { token: staff.accessToken })).status).toBe(
      403,
    );
  });
});
