// The edge's connection limits against a real gateway over raw sockets: a client that dribbles its
// headers is cut at the header timeout, a header flood gets the edge's 431, a request without an
// HTTP version or (on 1.1) without Host gets 400, all as problem+json, and none reaches the upstream.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, startUpstream, type TestGateway, type TestUpstream } from '../../testing/index.ts';

let upstream: TestUpstream;
let gateway: TestGateway;
let port: number;

beforeAll(async () => {
  upstream = await startUpstream();
  gateway = await startTestGateway({
    server: { host: '127.0.0.1', limits: { headerTimeout: '600ms', maxHeaderCount: 50 } },
    upstreams: { up: { url: upstream.url, health: false } },
    routes: [{ path: '/{p*}', upstream: 'up' }],
  });
  port = Number(new URL(gateway.url).port);
});
afterAll(async () => {
  await gateway?.stop();
  await upstream?.close();
});

interface RawExchange {
  /** Everything the server sent before it closed the connection. */
  received: string;
  status: number;
  contentType: string | undefined;
  body: string;
}

/** Writes `chunks` (one per `gapMs`, while the connection is open) and reads until the server closes. */
function exchange(chunks: string[], gapMs = 0): Promise<RawExchange> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let received = '';
    let timer: NodeJS.Timeout | undefined;
    socket.on('data', (data) => (received += data.toString('latin1')));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      // A reset after the answer still leaves the answer to check.
      if (error.code !== 'ECONNRESET' && error.code !== 'EPIPE') reject(error);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      const [head = '', body = ''] = received.split('\r\n\r\n');
      resolve({
        received,
        status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? 0),
        contentType: /\r\ncontent-type: ([^\r]+)/i.exec(head)?.[1],
        body,
      });
    });
    socket.once('connect', () => {
      const next = (index: number) => {
        if (index >= chunks.length || socket.destroyed) return;
        socket.write(chunks[index]!);
        timer = setTimeout(() => next(index + 1), gapMs);
      };
      next(0);
    });
  });
}

describe('edge limits (server.limits)', () => {
  it('a well-formed request passes', async () => {
    const answer = await exchange(['GET /ok HTTP/1.1\r\nHost: portico\r\nConnection: close\r\n\r\n']);
    expect(answer.status).toBe(200);
  });

  it('a client sending its headers one byte at a time is answered 408 and cut at the header timeout', async () => {
    const before = upstream.seen.length;
    const start = 'GET /slow HTTP/1.1\r\nHost: portico\r\n';
    // 120 bytes at one per 100 ms would take 12 s: far past the 600 ms header timeout.
    const dribble = [start, ...'X-Slow: abcdefghijklmnopqrstuvwxyz0123456789'.repeat(3).split('')];
    const answer = await exchange(dribble, 100);
    expect(answer.status).toBe(408);
    expect(answer.contentType).toBe('application/problem+json');
    expect(JSON.parse(answer.body)).toMatchObject({ status: 408 });
    expect(upstream.seen.length).toBe(before);
  });

  it('2,000 request headers: 431 problem+json from the edge, nothing forwarded', async () => {
    const before = upstream.seen.length;
    const headers = Array.from({ length: 2000 }, (_, index) => `X-Flood-${index}: ${index}\r\n`).join('');
    const answer = await exchange([`GET /flood HTTP/1.1\r\nHost: portico\r\n${headers}\r\n`]);
    expect(answer.status).toBe(431);
    expect(answer.contentType).toBe('application/problem+json');
    expect(JSON.parse(answer.body)).toMatchObject({ status: 431 });
    expect(upstream.seen.length).toBe(before);
  });

  it('more headers than maxHeaderCount, though small: 431 problem+json', async () => {
    const before = upstream.seen.length;
    const headers = Array.from({ length: 60 }, (_, index) => `X-${index}: a\r\n`).join('');
    const answer = await exchange([`GET /many HTTP/1.1\r\nHost: portico\r\n${headers}\r\n`]);
    expect(answer.status).toBe(431);
    expect(JSON.parse(answer.body)).toMatchObject({ status: 431 });
    expect(upstream.seen.length).toBe(before);
  });

  it('an HTTP/0.9-style request (no version, no Host) is refused with 400', async () => {
    const before = upstream.seen.length;
    const answer = await exchange(['GET /api/v1/programs\r\n\r\n']);
    expect(answer.status).toBe(400);
    expect(answer.contentType).toBe('application/problem+json');
    expect(upstream.seen.length).toBe(before);
  });

  it('HTTP/1.1 without Host is refused with 400; HTTP/1.0 without Host is served', async () => {
    const before = upstream.seen.length;
    const refused = await exchange(['GET /nohost HTTP/1.1\r\nConnection: close\r\n\r\n']);
    expect(refused.status).toBe(400);
    expect(refused.contentType).toBe('application/problem+json');
    expect(JSON.parse(refused.body)).toMatchObject({ status: 400 });
    expect(upstream.seen.length).toBe(before);
    const old = await exchange(['GET /old HTTP/1.0\r\n\r\n']);
    expect(old.status).toBe(200);
  });

  it('an unparseable request gets problem+json 400, not a bare status line', async () => {
    const answer = await exchange(['GET /x HTTP/1.1\r\nHost: portico\r\nBad Header\r\n\r\n']);
    expect(answer.status).toBe(400);
    expect(answer.contentType).toBe('application/problem+json');
  });
});
