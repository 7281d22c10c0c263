import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUNDLED_FEEDS } from './config.ts';
import { contractClients, startTestServices } from '../testing/index.ts';
import type { ContractClient, TestServices } from '../testing/index.ts';

// The RSS feed is a file the test edits; the Atom feed is served over HTTP by a server whose
// behaviour the test switches (serve, hang past the timeout).
let services: TestServices;
let programs: ContractClient;
let feedDir: string;
let rssPath: string;
let atomXml: string;
let feedServer: Server;
let atomMode: 'serve' | 'hang' = 'serve';
let adminToken: string;

const RSS_ITEMS = 16;
const ATOM_ENTRIES = 4;

beforeAll(async () => {
  feedDir = await mkdtemp(join(tmpdir(), 'portico-feeds-'));
  rssPath = join(feedDir, 'campus-health.rss.xml');
  await copyFile(BUNDLED_FEEDS[0] as string, rssPath);
  atomXml = await readFile(BUNDLED_FEEDS[1] as string, 'utf8');
  feedServer = createServer((_request, response) => {
    if (atomMode === 'hang') return; // never answers: the sync's timeout must give up
    response.writeHead(200, { 'content-type': 'application/atom+xml' }).end(atomXml);
  });
  await new Promise<void>((resolve) => feedServer.listen(0, '127.0.0.1', resolve));
  const address = feedServer.address() as { port: number };
  services = await startTestServices({
    env: {
      PROGRAMS_FEEDS: `${rssPath}, http://127.0.0.1:${address.port}/wellness.atom`,
      PROGRAMS_FEED_TIMEOUT_MS: '500',
    },
  });
  programs = (await contractClients(services.urls)).programs;
  adminToken = await services.adminToken();
});
afterAll(async () => {
  await services?.stop();
  feedServer?.closeAllConnections();
  await new Promise((resolve) => feedServer?.close(resolve));
  await rm(feedDir, { recursive: true, force: true });
});

interface Program {
  id: string;
  guid: string;
  title: string;
  summary: string | null;
  category: string | null;
  startsAt: string | null;
  updatedAt: string;
}

async function wholeCatalog(): Promise<Program[]> {
  const all: Program[] = [];
  let cursor: string | null = null;
  do {
    const page: { body: { items: Program[]; nextCursor: string | null } } = await programs.request(
      'GET',
      `/programs?limit=7${cursor ? `&cursor=${cursor}` : ''}`,
    );
    all.push(...page.body.items);
    cursor = page.body.nextCursor;
  } while (cursor);
  return all;
}

const sync = () => programs.request('POST', '/programs/sync', { token: adminToken });

describe('catalog after the first sync', () => {
  it('lists every item of both feeds in schedule order, paged without repeats', async () => {
    const all = await wholeCatalog();
    expect(all).toHaveLength(RSS_ITEMS + ATOM_ENTRIES);
    expect(new Set(all.map((p) => p.id)).size).toBe(all.length);
    const starts = all.map((p) => p.startsAt as string);
    expect([...starts].sort()).toEqual(starts);
    expect(all.find((p) => p.guid === 'urn:northfield:studentlife:wellness:002')).toMatchObject({
      title: 'Therapy Dogs in the Library',
      category: 'Mental Health',
    });
  });

  it('finds programs by a word of their description (full-text, stemmed)', async () => {
    const byDescription = await programs.request('GET', '/programs/search?q=naloxone');
    expect(byDescription.body.items.map((p: Program) => p.title)).toEqual([
      'Alcohol and Substance Use: Know the Facts',
    ]);
    const stemmed = await programs.request('GET', '/programs/search?q=vaccinations');
    expect(stemmed.body.items.map((p: Program) => p.title)).toContain('Flu Vaccination Clinic');
    expect((await programs.request('GET', '/programs/search?q=')).status).toBe(400);
    expect((await programs.request('GET', '/programs/search?q=zzyzx')).body.items).toEqual([]);
  });

  it('filters by category (any case) and start window', async () => {
    const fitness = await programs.request('GET', '/programs/filter?category=FITNESS&limit=100');
    expect(fitness.body.items.map((p: Program) => p.title).sort()).toEqual([
      'Couch to 5K Running Club',
      'Recreation Center Extended Hours for Finals',
      'Strength Training Fundamentals',
      'Sunrise Yoga on the Quad',
    ]);
    const all = await wholeCatalog();
    const from = (all[3] as Program).startsAt as string;
    const to = (all[8] as Program).startsAt as string;
    const window = await programs.request('GET', `/programs/filter?from=${from}&to=${to}&limit=100`);
    expect(window.body.items.map((p: Program) => p.id)).toEqual(all.slice(3, 9).map((p) => p.id));
    expect((await programs.request('GET', `/programs/filter?from=${to}&to=${from}`)).status).toBe(400);
    expect((await programs.request('GET', '/programs/filter?from=yesterday')).status).toBe(400);
  });

  it('reads one program, 404 for an unknown id and 400 for a malformed one', async () => {
    const [first] = await wholeCatalog();
    expect((await programs.request('GET', `/programs/${first?.id}`)).body).toEqual(first);
    expect((await programs.request('GET', '/programs/00000000-0000-4000-8000-000000000000')).status).toBe(
      404,
    );
    expect((await programs.request('GET', '/programs/not-a-uuid')).status).toBe(400);
    expect((await programs.request('GET', '/programs?limit=101')).status).toBe(400);
  });
});

describe('registration', () => {
  it('is a POST, idempotent per user: 201 first, 200 after', async () => {
    const [program] = await wholeCatalog();
    const student = await services.createUser('student');
    const path = `/programs/${program?.id}/register`;
    const first = await programs.request('POST', path, { token: student.accessToken });
    expect(first.status).toBe(201);
    const again = await programs.request('POST', path, { token: student.accessToken });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    expect((await programs.request('POST', path)).status).toBe(401);
    const unknown = await programs.request(
      'POST',
      '/programs/00000000-0000-4000-8000-000000000000/register',
      { token: student.accessToken },
    );
    expect(unknown.status).toBe(404);
  });
});

describe('sync', () => {
  it('is admin-only', async () => {
    const student = await services.createUser('student');
    expect((await programs.request('POST', '/programs/sync', { token: student.accessToken })).status).toBe(
      403,
    );
  });

  it('changes nothing when run twice', async () => {
    const before = await wholeCatalog();
    const first = await sync();
    const second = await sync();
    for (const run of [first.body, second.body])
      expect(run).toMatchObject({ added: 0, updated: 0, error: null, trigger: 'admin' });
    expect(await wholeCatalog()).toEqual(before);
    const runs = await services.db.query<{ n: number }>(
      `select count(*)::int as n from programs.sync_runs where finished_at is not null`,
    );
    expect(runs.rows[0]?.n).toBeGreaterThanOrEqual(3);
  });

  it('updates an item whose feed entry changed, by guid', async () => {
    const original = await readFile(rssPath, 'utf8');
    await writeFile(
      rssPath,
      original.replace('<title>Mindfulness Mondays</title>', '<title>Mindfulness Mondays (new room)</title>'),
    );
    const run = await sync();
    expect(run.body).toMatchObject({ added: 0, updated: 1, error: null });
    const found = await programs.request('GET', '/programs/search?q=mindfulness');
    expect(found.body.items[0].title).toBe('Mindfulness Mondays (new room)');
  });

  it('leaves the catalog intact when a feed is malformed, recording the error', async () => {
    const before = await wholeCatalog();
    const valid = await readFile(rssPath, 'utf8');
    await writeFile(
      rssPath,
      valid.slice(0, valid.length / 2).replace(/<title>[^<]*<\/title>/g, '<title>Changed</title>'),
    );
    const run = await sync();
    expect(run.status).toBe(200);
    expect(run.body.error).toContain(rssPath);
    expect(run.body).toMatchObject({ added: 0, updated: 0 });
    expect(await wholeCatalog()).toEqual(before);
    await writeFile(rssPath, valid);
  });

  it('records a feed that times out and keeps its programs', async () => {
    const before = await wholeCatalog();
    atomMode = 'hang';
    try {
      const run = await sync();
      expect(run.body.error).toMatch(/wellness\.atom: .*(timeout|aborted)/i);
      expect(await wholeCatalog()).toEqual(before);
    } finally {
      atomMode = 'serve';
    }
  });
});

describe('GraphQL', () => {
  it('resolves programsByIds in the order asked, null for unknown ids', async () => {
    const [a, b] = await wholeCatalog();
    const unknown = '00000000-0000-4000-8000-000000000000';
    const response = await fetch(`${services.urls.programs}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: `{ programsByIds(ids: ["${b?.id}", "${unknown}", "${a?.id}"]) { id title } }`,
      }),
    });
    const body = (await response.json()) as { data: { programsByIds: ({ id: string } | null)[] } };
    expect(body.data.programsByIds.map((p) => p?.id ?? null)).toEqual([b?.id, null, a?.id]);
  });

  it('checked every response against the contract', () => {
    expect(programs.checked).toBeGreaterThan(30);
  });
});
