// The smallest HTTP/1.1 client that can hold tens of thousands of keep-alive connections in one
// process: a GET written by hand on a net.Socket, and a parser that knows where a response ends.
// (http.Agent keeps per-socket request objects and timers; at 15,000 sockets a process that is
// only there to hold them open should not pay for that.)

export function getRequest(path: string, host: string): Buffer {
  return Buffer.from(`GET ${path} HTTP/1.1\r\nHost: ${host}\r\nConnection: keep-alive\r\n\r\n`);
}

export type ParseResult =
  { complete: false } | { complete: true; status: number; rest: Buffer; keepAlive: boolean };

/**
 * Whether `buffer` holds one whole response (head and body by content-length or chunked framing).
 * `rest` is what followed it (nothing, for a client that sends one request at a time).
 */
export function parseResponse(buffer: Buffer): ParseResult {
  const headEnd = buffer.indexOf('\r\n\r\n');
  if (headEnd === -1) return { complete: false };
  const head = buffer.subarray(0, headEnd).toString('latin1');
  const [statusLine = '', ...headerLines] = head.split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? 0);
  const headers = new Map<string, string>();
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  const keepAlive = headers.get('connection')?.toLowerCase() !== 'close';
  const bodyStart = headEnd + 4;
  const length = headers.get('content-length');
  if (length !== undefined) {
    const end = bodyStart + Number(length);
    if (buffer.length < end) return { complete: false };
    return { complete: true, status, rest: buffer.subarray(end), keepAlive };
  }
  if (headers.get('transfer-encoding')?.toLowerCase().includes('chunked')) {
    let at = bodyStart;
    for (;;) {
      const sizeEnd = buffer.indexOf('\r\n', at);
      if (sizeEnd === -1) return { complete: false };
      const size = parseInt(buffer.subarray(at, sizeEnd).toString('latin1'), 16);
      if (Number.isNaN(size)) return { complete: true, status: 0, rest: Buffer.alloc(0), keepAlive: false };
      if (size === 0) {
        const end = buffer.indexOf('\r\n\r\n', sizeEnd);
        if (end === -1) return { complete: false };
        return { complete: true, status, rest: buffer.subarray(end + 4), keepAlive };
      }
      at = sizeEnd + 2 + size + 2;
      if (buffer.length < at) return { complete: false };
    }
  }
  // No framing: a body that ends when the connection does; no keep-alive for this one.
  return { complete: true, status, rest: Buffer.alloc(0), keepAlive: false };
}
