// The fast path: proxied routes no plugin touches before the upstream are served without hapi's
// lifecycle, and a client cannot tell: the same status, headers, body and problem+json as hapi's
// path, the same access-log line and metrics.
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PorticoConfigInput } from '../config/schema.ts';
import { startTestGateway, type TestGateway } from '../../testing/startTestGateway.ts';
import { startUpstream, type TestUpstream } from '../../testing/startUpstream.ts';
import { startTestIssuer, type TestIssuer } from '../../plugins/auth-jwt/testing/testIssuer.ts';

// auth-jwt adds a strategy with a hapi-free form and no request-phase ext: its routes keep the fast path.
const chainOf = (issuer: TestIssuer) => [
  {
    name: 'auth-jwt',
    options: { issuers: [{ issuer: issuer.issuer, audiences: ['portico'], jwksUri: issuer.jwksUri }] },
  },
  { name: 'access-log' },
  { name: 'security-headers' },
  { name: 'cors', options: { origins: ['http://app.example'] } },
];

function configOf(upstream: string, plugins: PorticoConfigInput['plugins']): PorticoConfigInput {
  return {
    upstreams: { api: { url: upstream }, gone: { url: 'http://127.0.0.1:9' } },
    routes: [
      { name: 'api', path: '/api/{p*}', upstream: 'api', stripPrefix: '/api' },
      { name: 'gone', path: '/gone/{p*}', upstream: 'gone' },
      { name: 'private', path: '/private/{p*}', upstream: 'api', auth: 'required' },
    ],
    plugins,
  };
}

interface Started {
  edge: TestGateway;
  lines: Array<Record<string, unknown>>;
  /** Requests hapi's lifecycle saw (its `response` event). */
  hapiSeen: string[];
}

async function start(upstream: string, plugins: PorticoConfigInput['plugins']): Promise<Started> {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  const edge = await startTestGateway(configOf(upstream, plugins), { logger: pino({ level: 'info' }, sink) });
  const hapiSeen: string[] = [];
  edge.gateway.server.events.on('response', (request) => void hapiSeen.push(request.path));
  return { edge, lines, hapiSeen };
}

const headersOf = (response: Response) =>
  Object.fromEntries([...response.headers].filter(([name]) => !['date', 'x-request-id'].includes(name)));

describe('the fast path', () => {
  let upstream: TestUpstream;
  let fast: Started;
  let hapi: Started;
  let issuer: TestIssuer;

  beforeAll(async () => {
    upstream = await startUpstream((req, res) => {
      res.setHeader('content-type', 'application/json');
      res.setHeader('connection', 'keep-alive');
      res.end(JSON.stringify({ url: req.url }));
    });
    issuer = await startTestIssuer();
    fast = await start(upstream.url, chainOf(issuer));
    // ip-filter adds a request-phase ext: every route of that build stays on hapi's lifecycle.
    hapi = await start(upstream.url, [
      ...chainOf(issuer),
      { name: 'ip-filter', options: { allow: ['0.0.0.0/0', '::/0'] } },
    ]);
  });
  afterAll(async () => {
    await fast?.edge.stop();
    await hapi?.edge.stop();
    await upstream?.close();
    await issuer?.stop();
  });

  it('is decided per build: a plugin with a request-phase ext keeps every route on hapi', () => {
    expect(fast.edge.gateway.build.fast).toBeDefined();
    expect(fast.edge.gateway.build.requestPhasePlugins).toEqual([]);
    expect(hapi.edge.gateway.build.fast).toBeUndefined();
    expect(hapi.edge.gateway.build.requestPhasePlugins).toEqual(['ip-filter']);
  });

  it('serves a plain route without hapi, with the answer hapi would have given', async () => {
    const init = { headers: { origin: 'http://app.example' } };
    const viaFast = await fetch(`${fast.edge.url}/api/programs/42?x=1`, init);
    const viaHapi = await fetch(`${hapi.edge.url}/api/programs/42?x=1`, init);
    expect(viaFast.status).toBe(200);
    expect(await viaFast.json()).toEqual(await viaHapi.json());
    expect(headersOf(viaFast)).toEqual(headersOf(viaHapi));
    expect(viaFast.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(viaFast.headers.get('access-control-allow-origin')).toBe('http://app.example');
    expect(viaFast.headers.get('x-content-type-options')).toBe('nosniff');
    expect(upstream.seen.at(-1)!.url).toBe('/programs/42?x=1');
    expect(fast.hapiSeen).toEqual([]);
    expect(hapi.hapiSeen).toEqual(['/api/programs/42']);
  });

  it("answers an upstream's failure with the same problem+json as hapi's path", async () => {
    const viaFast = await fetch(`${fast.edge.url}/gone/x`);
    const viaHapi = await fetch(`${hapi.edge.url}/gone/x`);
    expect(viaFast.status).toBe(502);
    expect(viaHapi.status).toBe(502);
    const [fastBody, hapiBody] = [await viaFast.json(), await viaHapi.json()];
    expect({ ...fastBody, instance: undefined }).toEqual({ ...hapiBody, instance: undefined });
    expect(fastBody.instance).toBe(viaFast.headers.get('x-request-id'));
    expect(headersOf(viaFast)).toEqual(headersOf(viaHapi));
    expect(fast.hapiSeen).toEqual([]);
  });

  it('writes the same access-log line and counts the same metrics', async () => {
    await fetch(`${fast.edge.url}/api/logged`, { headers: { 'x-request-id': 'fast-1' } });
    const line = await waitFor(() =>
      fast.lines.find((entry) => entry.event === 'access' && entry.path === '/api/logged'),
    );
    expect(line).toMatchObject({ method: 'GET', route: 'api', upstream: 'api', status: 200 });
    const metrics = await (await fetch(`${fast.edge.adminUrl}/metrics`)).text();
    expect(metrics).toMatch(
      /portico_http_requests_total\{route="api",method="GET",status_class="2xx",upstream="api"\} \d+/,
    );
  });

  it('authenticates with the strategies hapi would use, in their order, and answers their 401s alike', async () => {
    fast.hapiSeen.length = 0;
    const token = await issuer.sign({ sub: 'user-7', roles: ['student'] });
    const ok = await fetch(`${fast.edge.url}/private/a`, { headers: { authorization: `Bearer ${token}` } });
    expect(ok.status).toBe(200);
    expect(upstream.seen.at(-1)!.headers['x-user-id']).toBe('user-7');
    const forged = await fetch(`${fast.edge.url}/private/a`, {
      headers: { authorization: `Bearer ${token}`, 'x-user-id': 'admin' },
    });
    expect(forged.status).toBe(200);
    expect(upstream.seen.at(-1)!.headers['x-user-id']).toBe('user-7');
    const attempts: Array<Record<string, string>> = [
      {},
      { authorization: 'Bearer not-a-token' },
      { authorization: `Bearer ${token}x` },
    ];
    for (const headers of attempts) {
      const viaFast = await fetch(`${fast.edge.url}/private/a`, { headers });
      const viaHapi = await fetch(`${hapi.edge.url}/private/a`, { headers });
      expect(viaFast.status).toBe(401);
      expect(viaHapi.status).toBe(401);
      expect(headersOf(viaFast)).toEqual(headersOf(viaHapi));
      const [fastBody, hapiBody] = [await viaFast.json(), await viaHapi.json()];
      expect({ ...fastBody, instance: undefined }).toEqual({ ...hapiBody, instance: undefined });
    }
    expect(fast.hapiSeen).toEqual([]);
  });

  it('leaves HEAD, preflights and paths hapi normalizes to hapi', async () => {
    fast.hapiSeen.length = 0;
    expect((await fetch(`${fast.edge.url}/api/a`, { method: 'HEAD' })).status).toBe(200);
    const preflight = await fetch(`${fast.edge.url}/api/a`, {
      method: 'OPTIONS',
      headers: { origin: 'http://app.example', 'access-control-request-method': 'GET' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('http://app.example');
    expect((await fetch(`${fast.edge.url}/api/%61`)).status).toBe(200);
    expect(upstream.seen.at(-1)!.url).toBe('/a');
    expect(fast.hapiSeen).toEqual(['/api/a', '/api/a', '/api/a']);
  });
});

async function waitFor<T>(find: () => T | undefined): Promise<T> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const found = find();
    if (found !== undefined) return found;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error('condition not reached');
}
