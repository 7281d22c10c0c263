import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../../testing/startTestGateway.ts';
import { startUpstream, type TestUpstream } from '../../testing/startUpstream.ts';
import { createLogger } from './createLogger.ts';

const lines: Array<Record<string, unknown>> = [];
const sink = new Writable({
  write(chunk: Buffer, _encoding, callback) {
    for (const line of chunk.toString().split('\n').filter(Boolean))
      lines.push(JSON.parse(line) as Record<string, unknown>);
    callback();
  },
});

let upstream: TestUpstream;
let gateway: TestGateway;
beforeAll(async () => {
  upstream = await startUpstream();
  gateway = await startTestGateway(
    {
      upstreams: {
        up: { url: upstream.url, health: false },
        down: { url: 'http://127.0.0.1:9', health: false },
      },
      plugins: [{ name: 'access-log' }],
      routes: [
        { path: '/up/{p*}', upstream: 'up' },
        { path: '/down/{p*}', upstream: 'down' },
      ],
    },
    { logger: createLogger({ destination: sink }) },
  );
});
afterAll(async () => {
  await gateway?.stop();
  await upstream?.close();
});

describe('logs', () => {
  it('carry the request id on every line a request produces', async () => {
    lines.length = 0;
    const response = await fetch(`${gateway.url}/down/x`, { headers: { 'x-request-id': 'trace-me-1' } });
    expect(response.status).toBe(502);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const requestLines = lines.filter((line) => line.event === 'access' || line.event === 'upstream_error');
    expect(requestLines.map((line) => line.event).sort()).toEqual(['access', 'upstream_error']);
    for (const line of requestLines) expect(line.requestId).toBe('trace-me-1');
  });

  it('never contain the Authorization header, cookies, passwords, tokens or emails', () => {
    const captured: string[] = [];
    const logger = createLogger({
      destination: new Writable({
        write(chunk: Buffer, _encoding, callback) {
          captured.push(chunk.toString());
          callback();
        },
      }),
    });
    logger.info(
      {
        headers: {
          authorization: 'Bearer eyJhbGciOi.secret',
          cookie: 'sid=abc',
          'set-cookie': 'sid=abc',
          'x-api-key': 'pk_live_1',
        },
        body: { email: 'student@campus.edu', password: 'hunter2', refresh_token: 'rt-1' },
        token: 'tok-1',
      },
      'event',
    );
    logger.flush();
    const text = captured.join('');
    for (const secret of [
      'eyJhbGciOi',
      'sid=abc',
      'pk_live_1',
      'student@campus.edu',
      'hunter2',
      'rt-1',
      'tok-1',
    ]) {
      expect(text).not.toContain(secret);
    }
    expect(text).toContain('[redacted]');
  });
});
