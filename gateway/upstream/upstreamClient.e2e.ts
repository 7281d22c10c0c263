// A plugin-contributed handler route calling an upstream through the upstream client.
import { afterEach, describe, expect, it } from 'vitest';
import { definePlugin } from '../../contracts/plugin.ts';
import { z } from 'zod';
import { startTestGateway, startUpstream, type TestGateway, type TestUpstream } from '../../testing/index.ts';

let gateway: TestGateway | undefined;
let upstream: TestUpstream | undefined;
afterEach(async () => {
  await gateway?.stop();
  await upstream?.close();
});

const screen = definePlugin({
  name: 'screen',
  version: '1.0.0',
  priority: 10,
  phases: ['handler'],
  options: z.object({}).prefault({}),
  register(server) {
    const gatewayContext = server.portico;
    gatewayContext.route({
      id: 'screen.items',
      method: 'GET',
      path: '/screen',
      auth: 'none',
      async handler(request) {
        const client = gatewayContext.upstream('items', 'screen.items');
        const context = gatewayContext.exchangeContext(request);
        const reply = await client.json<{ path: string }>({
          method: 'GET',
          path: '/items?x=1',
          headers: { 'x-user-id': 'forged', cookie: 'session=1' },
          ...context,
        });
        return { status: reply.status, data: reply.data };
      },
    });
  },
});

describe('upstream client from a handler route', () => {
  it('calls the upstream with the request id and without forged identity or cookies', async () => {
    upstream = await startUpstream((req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ path: req.url }));
    });
    gateway = await startTestGateway(
      { upstreams: { items: { url: upstream.url, health: false } }, plugins: [{ name: 'screen' }] },
      { extraPlugins: [screen] },
    );
    const response = await fetch(`${gateway.url}/screen`, { headers: { 'x-request-id': 'abc-1' } });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 200, data: { path: '/items?x=1' } });
    const seen = upstream.seen[0]!;
    expect(seen.headers['x-request-id']).toBe('abc-1');
    expect(seen.headers['x-user-id']).toBeUndefined();
    expect(seen.headers['cookie']).toBeUndefined();
  });
});
