// An upstream answer held in memory (to share with coalesced requests, or to store and replay),
// and back again as the IncomingMessage-shaped stream the proxy hands to hapi.
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { PassThrough, Readable } from 'node:stream';

export interface StoredResponse {
  status: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
}

// RFC 9110 §7.6.1: connection-specific, never replayed; the length is recomputed from the body.
const NOT_KEPT = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'content-length',
]);

function keptHeaders(headers: IncomingHttpHeaders): Record<string, string | string[]> {
  const listed = String(headers.connection ?? '')
    .toLowerCase()
    .split(',')
    .map((name) => name.trim());
  const kept: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || NOT_KEPT.has(name) || listed.includes(name)) continue;
    kept[name] = value;
  }
  return kept;
}

export type Buffered = { complete: StoredResponse } | { overflow: IncomingMessage };

/**
 * Reads `response` whole when it is at most `limit` bytes; past the limit it stops and returns a
 * stream of what was read followed by the rest, so the one client it belongs to still gets it all.
 */
export function bufferResponse(response: IncomingMessage, limit: number): Promise<Buffered> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      response.off('data', onData);
      response.off('end', onEnd);
      response.off('error', onError);
      response.off('close', onClose);
    };
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      if (size <= limit) return;
      cleanup();
      response.pause();
      const rest = Object.assign(new PassThrough(), {
        statusCode: response.statusCode,
        statusMessage: response.statusMessage,
        headers: response.headers,
      });
      for (const read of chunks) rest.write(read);
      response.once('error', (error) => rest.destroy(error));
      response.pipe(rest);
      resolve({ overflow: rest as unknown as IncomingMessage });
    };
    const onEnd = () => {
      cleanup();
      resolve({
        complete: {
          status: response.statusCode ?? 502,
          headers: keptHeaders(response.headers),
          body: Buffer.concat(chunks),
        },
      });
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    const onClose = () => {
      cleanup();
      reject(
        Object.assign(new Error('the upstream closed its answer before the end'), { code: 'ECONNRESET' }),
      );
    };
    response.on('data', onData);
    response.once('end', onEnd);
    response.once('error', onError);
    response.once('close', onClose);
  });
}

/** A fresh stream of a held answer, with `extra` headers (e.g. Idempotent-Replayed) added. */
export function toIncomingMessage(
  stored: StoredResponse,
  extra: Record<string, string> = {},
): IncomingMessage {
  const headers = { ...stored.headers, ...extra, 'content-length': String(stored.body.length) };
  const stream = Readable.from([stored.body], { objectMode: false });
  return Object.assign(stream, {
    statusCode: stored.status,
    statusMessage: '',
    headers,
  }) as unknown as IncomingMessage;
}
