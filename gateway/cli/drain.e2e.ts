// SIGTERM under concurrent load, through the real CLI: readiness turns 503, the listener closes,
// every in-flight request finishes, and the process exits 0.
import http from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnPortico } from '../../testing/spawnPortico.ts';
import { startUpstream, type TestUpstream } from '../../testing/startUpstream.ts';
import { freePort } from '../../testing/startRedisServer.ts';
import { getStatus, until } from '../../testing/until.ts';

const IN_FLIGHT = 50;
let upstream: TestUpstream | undefined;
afterAll(async () => upstream?.close());

describe('SIGTERM', () => {
  it('finishes every in-flight request with zero failures, then exits 0', async () => {
    const held: Array<() => void> = [];
    upstream = await startUpstream((req, res) => {
      if (req.url === '/healthz') return res.end('ok');
      held.push(() => res.end('done'));
    });
    const [port, adminPort] = [await freePort(), await freePort()];
    const dir = mkdtempSync(join(tmpdir(), 'portico-drain-'));
    const config = join(dir, 'portico.yaml');
    writeFileSync(
      config,
      [
        `server: { host: 127.0.0.1, port: ${port}, admin: { port: ${adminPort} }, drain: { delay: 200ms, timeout: 20s } }`,
        `upstreams: { slow: { url: "${upstream.url}", health: { interval: 50ms } } }`,
        `routes: [ { path: "/{p*}", upstream: slow } ]`,
      ].join('\n'),
    );
    const portico = spawnPortico(['start', '--config', config]);
    await portico.waitForLog((line) => line.event === 'listening');
    const base = `http://127.0.0.1:${port}`;
    const admin = `http://127.0.0.1:${adminPort}`;
    await until('ready', async () => (await fetch(`${admin}/readyz`)).status === 200);

    // Keep-alive clients, as real ones are: draining must not cut their connections mid-request.
    const agent = new http.Agent({ keepAlive: true, maxSockets: IN_FLIGHT });
    const inFlight = Array.from({ length: IN_FLIGHT }, (_, index) =>
      getStatus(`${base}/work/${index}`, agent),
    );
    await until('all in flight', async () => held.length === IN_FLIGHT);

    portico.child.kill('SIGTERM');
    await portico.waitForLog((line) => line.event === 'draining');
    expect((await fetch(`${admin}/readyz`)).status).toBe(503);
    // During the drain delay new requests are still served (the load balancer is still moving
    // traffic away); after it the listener closes and a new connection is refused.
    await until('listener closed', async () => {
      try {
        await getStatus(`${base}/healthz`, false);
        return false;
      } catch (error) {
        return (error as NodeJS.ErrnoException).code === 'ECONNREFUSED';
      }
    });

    for (const release of held.splice(0)) release();
    const statuses = await Promise.all(inFlight);
    expect(statuses.filter((status) => status !== 200)).toEqual([]);
    expect(await portico.exited).toBe(0);
    agent.destroy();
  });
});
