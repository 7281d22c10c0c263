// server.keepAliveTimeout decides how long an idle keep-alive client connection stays open: the
// connection-ceiling benchmark holds connections idle for minutes, production keeps Node's 5 s.
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveConfig } from '../config/loadConfigFile.ts';
import { startTestGateway, type TestGateway } from '../../testing/startTestGateway.ts';
import { startUpstream, type TestUpstream } from '../../testing/startUpstream.ts';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** One keep-alive request on a raw socket; resolves when the response has arrived, and on close. */
function requestThenWatch(url: string): Promise<{ answered: Promise<string>; closed: Promise<void> }> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), '127.0.0.1', () => {
      let received = '';
      const answered = new Promise<string>((done) =>
        socket.on('data', (data) => {
          received += data.toString();
          if (received.includes('\r\n\r\n')) done(received.split('\r\n')[0]!);
        }),
      );
      const closed = new Promise<void>((done) => socket.once('close', () => done()));
      socket.write('GET /x HTTP/1.1\r\nHost: test\r\nConnection: keep-alive\r\n\r\n');
      resolve({ answered, closed });
    });
    socket.once('error', reject);
    cleanups.push(async () => void socket.destroy());
  });
}

async function gatewayWith(keepAliveTimeout?: string): Promise<TestGateway> {
  const upstream: TestUpstream = await startUpstream();
  cleanups.push(() => upstream.close());
  const gateway = await startTestGateway({
    server: keepAliveTimeout === undefined ? {} : { keepAliveTimeout },
    upstreams: { up: { url: upstream.url, health: false } },
    routes: [{ path: '/{p*}', upstream: 'up' }],
  });
  cleanups.push(() => gateway.stop());
  return gateway;
}

describe('server.keepAliveTimeout', () => {
  it("defaults to Node's 5 s", async () => {
    const loaded = await resolveConfig({});
    expect(loaded.config.server.keepAliveTimeout).toBe(5000);
    const gateway = await gatewayWith();
    expect(gateway.gateway.listener.keepAliveTimeout).toBe(5000);
  });

  it('closes an idle keep-alive connection once the configured time has passed', async () => {
    const gateway = await gatewayWith('300ms');
    expect(gateway.gateway.listener.keepAliveTimeout).toBe(300);
    const { answered, closed } = await requestThenWatch(gateway.url);
    expect(await answered).toBe('HTTP/1.1 200 OK');
    const outcome = await Promise.race([
      closed.then(() => 'closed'),
      new Promise((resolve) => setTimeout(() => resolve('still open'), 20_000)),
    ]);
    expect(outcome).toBe('closed');
  });

  it('keeps an idle connection open for a long timeout', async () => {
    const gateway = await gatewayWith('10m');
    const { answered, closed } = await requestThenWatch(gateway.url);
    expect(await answered).toBe('HTTP/1.1 200 OK');
    const outcome = await Promise.race([
      closed.then(() => 'closed'),
      new Promise((resolve) => setTimeout(() => resolve('still open'), 1500)),
    ]);
    expect(outcome).toBe('still open');
  });

  it('refuses a malformed value naming the path', async () => {
    await expect(resolveConfig({ server: { keepAliveTimeout: 'soon' } })).rejects.toMatchObject({
      issues: [expect.objectContaining({ path: 'server.keepAliveTimeout' })],
    });
  });
});
