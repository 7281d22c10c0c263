// Regression: a client that hung up while its request was at the upstream crashed the gateway
// (the response listener read `'statusCode' in response` when hapi's response was Symbol(close)).
import http from 'node:http';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../../testing/startTestGateway.ts';
import { startUpstream, type TestUpstream } from '../../testing/startUpstream.ts';

let upstream: TestUpstream;
let gateway: TestGateway;
const held: Array<() => void> = [];

beforeAll(async () => {
  upstream = await startUpstream((req, res) => {
    if (req.url === '/hold') held.push(() => res.end('late'));
    else res.end('ok');
  });
  gateway = await startTestGateway({
    upstreams: { u: { url: upstream.url, health: false } },
    plugins: [{ name: 'access-log' }],
    routes: [{ path: '/{p*}', upstream: 'u' }],
  });
});
afterAll(async () => {
  await gateway?.stop();
  await upstream?.close();
});

it('survives clients that hang up while their request is at the upstream', async () => {
  for (let attempt = 0; attempt < 5; attempt++) {
    const request = http.get(`${gateway.url}/hold`);
    request.on('error', () => {});
    while (held.length === attempt) await new Promise((resolve) => setTimeout(resolve, 5));
    request.destroy();
  }
  await new Promise((resolve) => setTimeout(resolve, 50));
  for (const release of held.splice(0)) release();
  const response = await fetch(`${gateway.url}/after`);
  expect(response.status).toBe(200);
  const metrics = await (await fetch(`${gateway.adminUrl}/metrics`)).text();
  expect(metrics).toMatch(
    /portico_http_requests_total\{route="\/\{p\*\}",method="GET",status_class="4xx",upstream="u"\} 5/,
  );
});
