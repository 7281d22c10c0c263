// A plugin-contributed handler route calling an upstream through the upstream client gets exactly
// the protection a proxied route gets: the same coalescing, breaker, retry budget and adaptive
// limit, and a route that turns a plugin off has no step of it.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { definePlugin, type PorticoPlugin } from '../../contracts/plugin.ts';
import {
  rawRequest,
  startTestGateway,
  startUpstream,
  until,
  type PorticoConfigInput,
  type TestGateway,
  type TestUpstream,
} from '../../testing/index.ts';

let gateway: TestGateway | undefined;
let upstream: TestUpstream | undefined;
afterEach(async () => {
  await gateway?.stop();
  await upstream?.close();
  gateway = upstream = undefined;
});

/** A plugin with one handler route, `/screen/{path*}`, that calls the `items` upstream. */
function screenPlugin(seen: { calls: number }): PorticoPlugin {
  return definePlugin({
    name: 'screen',
    version: '1.0.0',
    priority: 10,
    phases: ['handler'],
    options: z.object({}).prefault({}),
    register(server) {
      const portico = server.portico;
      portico.route({
        id: 'screen',
        method: 'GET',
        path: '/screen/{path*}',
        auth: 'none',
        async handler(request, h) {
          seen.calls += 1;
          const client = portico.upstream('items', 'screen');
          const reply = await client.json<unknown>({
            method: 'GET',
            path: `/${request.params['path'] as string}`,
            headers: { 'x-user-id': 'forged', cookie: 'session=1' },
            ...portico.exchangeContext(request),
          });
          return h.response({ status: reply.status, data: reply.data ?? null }).code(reply.status);
        },
      });
    },
  });
}

async function start(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  plugins: PorticoConfigInput['plugins'],
  seen = { calls: 0 },
): Promise<{ seen: { calls: number } }> {
  upstream = await startUpstream(handler);
  gateway = await startTestGateway(
    {
      upstreams: { items: { url: upstream.url, health: false } },
      routes: [{ name: 'proxied', path: '/proxied/{path*}', upstream: 'items', stripPrefix: '/proxied' }],
      plugins: [...(plugins ?? []), { name: 'screen' }],
    },
    { extraPlugins: [screenPlugin(seen)] },
  );
  return { seen };
}

const json = (status: number, body: unknown) => (_req: IncomingMessage, res: ServerResponse) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};

describe('the upstream client of a handler route', () => {
  it('sends the request id and the caller, never forged identity headers or the browser cookie', async () => {
    await start(json(200, { ok: true }), []);
    const response = await fetch(`${gateway!.url}/screen/items?x=1`, {
      headers: { 'x-request-id': 'abc-1' },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 200, data: { ok: true } });
    const seen = upstream!.seen[0]!;
    expect(seen.url).toBe('/items');
    expect(seen.headers['x-request-id']).toBe('abc-1');
    expect(seen.headers['x-user-id']).toBeUndefined();
    expect(seen.headers['cookie']).toBeUndefined();
  });

  it('coalesces 200 concurrent identical calls into 1 upstream request', async () => {
    const held: ServerResponse[] = [];
    const { seen } = await start(
      (_req, res) => void held.push(res),
      [{ name: 'dedup', options: { coalesce: { enabled: true } } }],
    );
    const answers = Array.from({ length: 200 }, () => rawRequest(gateway!.url, '/screen/catalog'));
    // Every handler has called the client before the upstream answers the one request it got.
    await until('200 calls made', async () => seen.calls === 200 && held.length === 1);
    held[0]!.writeHead(200, { 'content-type': 'application/json' });
    held[0]!.end('{"items":[]}');
    const statuses = (await Promise.all(answers)).map((answer) => answer.status);
    expect(statuses).toEqual(Array(200).fill(200));
    expect(upstream!.seen).toHaveLength(1);
  });

  it('trips the same breaker proxied routes see', async () => {
    await start(json(500, { broken: true }), [
      {
        name: 'circuit-breaker',
        options: { volumeThreshold: 4, errorThresholdPercentage: 50, resetTimeout: '1m' },
      },
    ]);
    for (let i = 0; i < 4; i++) expect((await rawRequest(gateway!.url, '/screen/x')).status).toBe(500);
    expect(gateway!.gateway.server.plugins['circuit-breaker'].state('items')).toBe('open');
    const before = upstream!.seen.length;
    // The proxied route meets the circuit the handler's calls opened: 503, and the upstream is spared.
    const proxied = await rawRequest(gateway!.url, '/proxied/x');
    expect(proxied.status).toBe(503);
    expect(proxied.headers['content-type']).toContain('application/problem+json');
    expect((await rawRequest(gateway!.url, '/screen/x')).status).toBe(503);
    expect(upstream!.seen.length).toBe(before);
  });

  it('spends retries from the one budget of the upstream, whichever route asks', async () => {
    // A budget of exactly 2 retries in the window: one proxied request and one handler call use it up.
    await start(json(503, { busy: true }), [
      {
        name: 'retry',
        options: {
          maxAttempts: 2,
          backoff: { base: '1ms', max: '1ms' },
          budget: { ratio: 0, minRetries: 2, window: '1m' },
        },
      },
    ]);
    expect((await rawRequest(gateway!.url, '/proxied/a')).status).toBe(503);
    expect((await rawRequest(gateway!.url, '/screen/b')).status).toBe(503);
    expect(upstream!.seen).toHaveLength(4);
    // The budget is spent for both kinds: no more retries.
    expect((await rawRequest(gateway!.url, '/screen/c')).status).toBe(503);
    expect((await rawRequest(gateway!.url, '/proxied/d')).status).toBe(503);
    expect(upstream!.seen).toHaveLength(6);
  });

  it('counts both kinds of traffic against the one adaptive limit of the upstream', async () => {
    const held: ServerResponse[] = [];
    await start(
      (_req, res) => void held.push(res),
      [
        {
          name: 'adaptive-concurrency',
          options: { initialLimit: 1, minLimit: 1, maxLimit: 1, criticalHeadroom: 0, eventLoop: false },
        },
      ],
    );
    // A proxied request holds the upstream's only slot: the handler's call is refused at once.
    const proxied = rawRequest(gateway!.url, '/proxied/slow');
    await until('the proxied request is at the upstream', async () => held.length === 1);
    const refused = await rawRequest(gateway!.url, '/screen/fast');
    expect(refused.status).toBe(503);
    expect(refused.body).toContain('concurrency limit');
    held[0]!.end('done');
    expect((await proxied).status).toBe(200);
    // And the other way round.
    const call = rawRequest(gateway!.url, '/screen/slow');
    await until('the handler call is at the upstream', async () => held.length === 2);
    expect((await rawRequest(gateway!.url, '/proxied/fast')).status).toBe(503);
    held[1]!.writeHead(200, { 'content-type': 'application/json' });
    held[1]!.end('{}');
    expect((await call).status).toBe(200);
  });
});

describe('pipelines are built per route', () => {
  it('a route that turns a plugin off has no step of it (not a per-request skip)', async () => {
    upstream = await startUpstream(json(200, {}));
    gateway = await startTestGateway({
      upstreams: { items: { url: upstream.url, health: false } },
      routes: [
        { name: 'protected', path: '/a/{p*}', upstream: 'items' },
        { name: 'no-retry', path: '/b/{p*}', upstream: 'items', plugins: { retry: false, dedup: false } },
      ],
      plugins: [
        { name: 'adaptive-concurrency' },
        { name: 'dedup' },
        { name: 'retry' },
        { name: 'circuit-breaker' },
      ],
    });
    const steps = (route: string) => gateway!.gateway.build.pipelines.get(route)!.map(({ plugin }) => plugin);
    expect(steps('protected')).toEqual(['adaptive-concurrency', 'dedup', 'retry', 'circuit-breaker']);
    expect(steps('no-retry')).toEqual(['adaptive-concurrency', 'circuit-breaker']);
    // The admin listener shows the same, stage by stage.
    const config = (await (await fetch(`${gateway.adminUrl}/config`)).json()) as {
      pipelines: Record<string, string[]>;
    };
    expect(config.pipelines['no-retry']).toEqual([
      'admission:adaptive-concurrency',
      'breaker:circuit-breaker',
    ]);
    expect((await rawRequest(gateway.url, '/b/x')).status).toBe(200);
  });
});
