// The holder's response framing: where one keep-alive response ends.
import { describe, expect, it } from 'vitest';
import { parseResponse } from './rawHttp.ts';

const response = (head: string, body = '') => Buffer.from(`${head}\r\n\r\n${body}`);

describe('parseResponse', () => {
  it('waits for the whole head, then for content-length bytes of body', () => {
    expect(parseResponse(Buffer.from('HTTP/1.1 200 OK\r\ncontent-length: 5\r\n'))).toEqual({
      complete: false,
    });
    expect(parseResponse(response('HTTP/1.1 200 OK\r\ncontent-length: 5', 'abc'))).toEqual({
      complete: false,
    });
    const done = parseResponse(response('HTTP/1.1 200 OK\r\nContent-Length: 5', 'abcde'));
    expect(done).toMatchObject({ complete: true, status: 200, keepAlive: true });
  });

  it('ends a chunked body at the zero chunk', () => {
    const head = 'HTTP/1.1 404 Not Found\r\ntransfer-encoding: chunked';
    expect(parseResponse(response(head, '3\r\nabc\r\n'))).toEqual({ complete: false });
    expect(parseResponse(response(head, '3\r\nabc\r\n0\r\n\r\n'))).toMatchObject({
      complete: true,
      status: 404,
    });
  });

  it('reports what follows the response and a server that says close', () => {
    const done = parseResponse(
      response('HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\nconnection: close', 'XY'),
    );
    expect(done).toMatchObject({ complete: true, status: 503, keepAlive: false });
    expect((done as { rest: Buffer }).rest.toString()).toBe('XY');
  });
});
