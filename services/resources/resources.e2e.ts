import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractClients, startTestServices } from '../testing/index.ts';
import type { ContractClient, TestServices, TestUser } from '../testing/index.ts';

let services: TestServices;
let resources: ContractClient;
let admin: string;
let staff: TestUser;
let student: TestUser;

beforeAll(async () => {
  services = await startTestServices();
  resources = (await contractClients(services.urls)).resources;
  admin = await services.adminToken();
  [staff, student] = await Promise.all([services.createUser('staff'), services.createUser('student')]);
});
afterAll(async () => {
  await services?.stop();
});

/** A small but well-formed PDF with some distinguishable bytes. */
function pdf(label: string, padding = 4096): Buffer {
  const body = `1 0 obj << /Type /Catalog >> endobj\n% ${label}\n${'x'.repeat(padding)}\n`;
  return Buffer.from(`%PDF-1.7\n${body}trailer << /Root 1 0 R >>\n%%EOF\n`);
}

function form(
  fields: Record<string, string>,
  file?: { bytes: Buffer; name: string; type?: string },
): FormData {
  const data = new FormData();
  for (const [name, value] of Object.entries(fields)) data.set(name, value);
  if (file)
    data.set(
      'file',
      new Blob([new Uint8Array(file.bytes)], { type: file.type ?? 'application/pdf' }),
      file.name,
    );
  return data;
}

async function publish(token: string, title: string, bytes = pdf(title)) {
  return resources.request('POST', '/resources', {
    token,
    body: form({ title, description: `About ${title}` }, { bytes, name: `${title}.pdf` }),
  });
}

describe('publishing', () => {
  it('lets an admin upload a PDF and describes it', async () => {
    const bytes = pdf('sleep');
    const created = await publish(admin, 'Sleep guide', bytes);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      title: 'Sleep guide',
      description: 'About Sleep guide',
      contentType: 'application/pdf',
      size: bytes.length,
      version: 1,
      etag: `"${createHash('sha256').update(bytes).digest('hex')}"`,
      filename: 'Sleep guide.pdf',
    });
  });

  it('rejects a file that is not a PDF by its magic bytes, whatever its name and type say', async () => {
    const fake = Buffer.from('<html>not a pdf</html>');
    const response = await resources.request('POST', '/resources', {
      token: staff.accessToken,
      body: form({ title: 'Fake' }, { bytes: fake, name: 'fake.pdf', type: 'application/pdf' }),
    });
    expect(response.status).toBe(415);
    expect(response.body.detail).toMatch(/not a PDF/);
  });

  it('refuses students, anonymous callers, a missing file, a missing title and JSON bodies', async () => {
    expect((await publish(student.accessToken, 'Nope')).status).toBe(403);
    expect(
      (
        await resources.request('POST', '/resources', {
          body: form({ title: 'x' }, { bytes: pdf('x'), name: 'x.pdf' }),
        })
      ).status,
    ).toBe(401);
    const noFile = await resources.request('POST', '/resources', {
      token: staff.accessToken,
      body: form({ title: 'No file' }),
    });
    expect(noFile.status).toBe(400);
    const noTitle = await resources.request('POST', '/resources', {
      token: staff.accessToken,
      body: form({}, { bytes: pdf('t'), name: 't.pdf' }),
    });
    expect(noTitle.status).toBe(400);
    expect(noTitle.body.errors[0].path).toBe('title');
    const json = await resources.request('POST', '/resources', {
      token: staff.accessToken,
      json: { title: 'x' },
    });
    expect(json.status).toBe(415);
  });
});

describe('downloading', () => {
  it('streams the file with an ETag, a byte Range (206), a suffix range and If-None-Match (304)', async () => {
    const bytes = pdf('nutrition', 20_000);
    const created = await publish(staff.accessToken, 'Nutrition basics', bytes);
    const path = `/resources/${created.body.id}/download`;

    const full = await resources.request('GET', path, { token: student.accessToken });
    expect(full.status).toBe(200);
    expect(full.bytes.equals(bytes)).toBe(true);
    expect(full.headers.get('etag')).toBe(created.body.etag);
    expect(full.headers.get('accept-ranges')).toBe('bytes');

    const part = await resources.request('GET', path, {
      token: student.accessToken,
      headers: { range: 'bytes=100-1123' },
    });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 100-1123/${bytes.length}`);
    expect(part.bytes.equals(bytes.subarray(100, 1124))).toBe(true);

    const tail = await resources.request('GET', path, {
      token: student.accessToken,
      headers: { range: 'bytes=-6' },
    });
    expect(tail.status).toBe(206);
    expect(tail.bytes.toString()).toBe('%%EOF\n');

    const cached = await resources.request('GET', path, {
      token: student.accessToken,
      headers: { 'if-none-match': created.body.etag },
    });
    expect(cached.status).toBe(304);
    expect(cached.bytes.length).toBe(0);

    const stale = await resources.request('GET', path, {
      token: student.accessToken,
      headers: { range: 'bytes=0-9', 'if-range': '"an-older-version"' },
    });
    expect(stale.status).toBe(200);

    const outside = await resources.request('GET', path, {
      token: student.accessToken,
      headers: { range: `bytes=${bytes.length}-` },
    });
    expect(outside.status).toBe(416);
    expect(outside.headers.get('content-range')).toBe(`bytes */${bytes.length}`);

    expect((await resources.request('GET', path)).status).toBe(401);
    expect(
      (
        await resources.request('GET', '/resources/00000000-0000-4000-8000-000000000000/download', {
          token: student.accessToken,
        })
      ).status,
    ).toBe(404);
  });
});

describe('updating', () => {
  it('changes metadata with JSON and keeps the file', async () => {
    const created = await publish(staff.accessToken, 'Stress');
    const updated = await resources.request('PUT', `/resources/${created.body.id}`, {
      token: staff.accessToken,
      json: { title: 'Stress less', description: null },
    });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({
      title: 'Stress less',
      description: null,
      version: 1,
      etag: created.body.etag,
    });
    expect(
      (
        await resources.request('PUT', `/resources/${created.body.id}`, {
          token: staff.accessToken,
          json: { size: 1 },
        })
      ).status,
    ).toBe(400);
    expect(
      (
        await resources.request('PUT', `/resources/${created.body.id}`, {
          token: student.accessToken,
          json: { title: 'x' },
        })
      ).status,
    ).toBe(403);
  });

  it('uploads a new version and keeps the old one downloadable', async () => {
    const v1 = pdf('first');
    const v2 = pdf('second', 9000);
    const created = await publish(staff.accessToken, 'Versions', v1);
    const id = created.body.id as string;
    const updated = await resources.request('PUT', `/resources/${id}`, {
      token: admin,
      body: form({ description: 'Revised' }, { bytes: v2, name: 'versions-v2.pdf' }),
    });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({
      version: 2,
      size: v2.length,
      description: 'Revised',
      title: 'Versions',
    });
    expect(updated.body.etag).not.toBe(created.body.etag);
    const current = await resources.request('GET', `/resources/${id}/download`, {
      token: student.accessToken,
    });
    expect(current.bytes.equals(v2)).toBe(true);
    const old = await resources.request('GET', `/resources/${id}/download?version=1`, {
      token: student.accessToken,
    });
    expect(old.bytes.equals(v1)).toBe(true);
    const notPdf = await resources.request('PUT', `/resources/${id}`, {
      token: admin,
      body: form({}, { bytes: Buffer.from('GIF89a....'), name: 'x.pdf' }),
    });
    expect(notPdf.status).toBe(415);
    expect(
      (await resources.request('GET', `/resources/${id}`, { token: student.accessToken })).body.version,
    ).toBe(2);
  });
});

describe('listing', () => {
  it('lists newest first with a cursor, for any signed-in user', async () => {
    const titles = ['List A', 'List B', 'List C'];
    for (const title of titles) await publish(staff.accessToken, title);
    const first = await resources.request('GET', '/resources?limit=2', { token: student.accessToken });
    expect(first.body.items.map((r: { title: string }) => r.title)).toEqual(['List C', 'List B']);
    const second = await resources.request('GET', `/resources?limit=1&cursor=${first.body.nextCursor}`, {
      token: student.accessToken,
    });
    expect(second.body.items.map((r: { title: string }) => r.title)).toEqual(['List A']);
    expect((await resources.request('GET', '/resources')).status).toBe(401);
  });

  it('serves Resource over GraphQL with the stitching key', async () => {
    const created = await publish(staff.accessToken, 'GraphQL doc');
    const response = await fetch(`${services.urls.resources}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${student.accessToken}` },
      body: JSON.stringify({
        query: `{ resourcesByIds(ids: ["${created.body.id}"]) { id title version downloadPath } }`,
      }),
    });
    const body = (await response.json()) as { data: { resourcesByIds: unknown[] } };
    expect(body.data.resourcesByIds).toEqual([
      {
        id: created.body.id,
        title: 'GraphQL doc',
        version: 1,
        downloadPath: `/resources/${created.body.id}/download`,
      },
    ]);
  });

  it('checked every response against the contract', () => {
    expect(resources.checked).toBeGreaterThan(30);
  });
});
