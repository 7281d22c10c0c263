// The /api/v2 example end to end against the real programs service (bundled feeds, PGlite): the
// config lines of the transform README turn v1's `link` into v2's `url`, in the list, in search
// answers and in one program, with nothing else changed and the service untouched.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServices, type TestServices } from '../../services/testing/index.ts';
import { startTestGateway, until, type TestGateway } from '../../testing/index.ts';

let services: TestServices;
let gateway: TestGateway;

beforeAll(async () => {
  services = await startTestServices();
  gateway = await startTestGateway({
    upstreams: { programs: { url: services.urls.programs, health: false } },
    plugins: [{ name: 'transform' }],
    routes: [
      { name: 'programs', path: '/api/v1/programs/{rest*}', upstream: 'programs', stripPrefix: '/api/v1' },
      {
        name: 'programs-v2',
        path: '/api/v2/programs/{rest*}',
        upstream: 'programs',
        stripPrefix: '/api/v2',
        plugins: { transform: { response: { body: { rename: { 'items.link': 'url', link: 'url' } } } } },
      },
    ],
  });
  await until('the bundled feeds are synced', async () => {
    const response = await fetch(`${gateway.url}/api/v1/programs?limit=5`);
    return response.ok && ((await response.json()) as { items: unknown[] }).items.length > 0;
  });
}, 120_000);
afterAll(async () => {
  await gateway?.stop();
  await services?.stop();
});

type Page = { items: Array<Record<string, unknown>>; nextCursor: string | null };
const json = async <T>(path: string): Promise<T> =>
  (await fetch(`${gateway.url}${path}`)).json() as Promise<T>;
const asV1 = ({ url, ...rest }: Record<string, unknown>) => ({ ...rest, link: url });

describe('/api/v2 over the v1 programs service', () => {
  it('lists the same programs with `url` for `link`, key order and paging kept', async () => {
    const [v1, v2] = await Promise.all([
      json<Page>('/api/v1/programs?limit=5'),
      json<Page>('/api/v2/programs?limit=5'),
    ]);
    expect(v2.items.length).toBe(v1.items.length);
    for (const item of v2.items) {
      expect(item).toHaveProperty('url');
      expect(item).not.toHaveProperty('link');
    }
    expect(v2.items.map(asV1)).toEqual(v1.items);
    expect(Object.keys(v2.items[0]!)).toEqual(
      Object.keys(v1.items[0]!).map((key) => (key === 'link' ? 'url' : key)),
    );
    expect(v2.nextCursor).toBe(v1.nextCursor);
  });

  it('renames in one program and in search answers too', async () => {
    const [first] = (await json<Page>('/api/v1/programs?limit=1')).items;
    const one = await json<Record<string, unknown>>(`/api/v2/programs/${first!.id as string}`);
    expect(asV1(one)).toEqual(first);
    const word =
      String(first!.title)
        .split(/\W+/)
        .find((part) => part.length > 3) ?? 'health';
    const search = await json<Page>(`/api/v2/programs/search?q=${encodeURIComponent(word)}`);
    for (const item of search.items) expect(Object.keys(item)).toContain('url');
  });

  it("passes the service's own errors through as v1 sends them", async () => {
    const v1 = await fetch(`${gateway.url}/api/v1/programs/not-a-uuid`);
    const v2 = await fetch(`${gateway.url}/api/v2/programs/not-a-uuid`);
    expect(v2.status).toBe(v1.status);
    expect(v2.status).toBeGreaterThanOrEqual(400);
    expect(v2.headers.get('content-type')).toBe(v1.headers.get('content-type'));
    const body = async (response: Response) => {
      const { instance: _instance, ...rest } = (await response.json()) as Record<string, unknown>;
      return rest;
    };
    expect(await body(v2)).toEqual(await body(v1));
  });
});
