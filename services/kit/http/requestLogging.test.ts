import { Writable } from 'node:stream';
import Hapi from '@hapi/hapi';
import pino from 'pino';
import { expect, it } from 'vitest';
import { log, registerRequestLogging } from './requestLogging.ts';

it('logs every line of a request with the request id the gateway sent, under the field the gateway uses', async () => {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString().split('\n').filter(Boolean))
        lines.push(JSON.parse(line) as Record<string, unknown>);
      callback();
    },
  });
  const server = Hapi.server();
  registerRequestLogging(server, pino(sink));
  server.route({
    method: 'GET',
    path: '/work',
    handler: (request) => {
      log(request).info({ event: 'working' }, 'handler line');
      return { ok: true };
    },
  });
  const response = await server.inject({ url: '/work', headers: { 'x-request-id': 'gw-req-7' } });
  expect(response.headers['x-request-id']).toBe('gw-req-7');
  const requestLines = lines.filter((line) => line.requestId !== undefined);
  expect(requestLines.map((line) => line.msg)).toEqual(['handler line', 'request']);
  for (const line of requestLines) expect(line.requestId).toBe('gw-req-7');
});
