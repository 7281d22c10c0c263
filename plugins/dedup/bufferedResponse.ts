// An upstream answer held in memory (to share with coalesced requests, or to store and replay),
// and back again as a reply with a fresh body stream.
import type { IncomingHttpHeaders } from 'node:http';
import { PassThrough, Readable } from 'node:stream';
import type { UpstreamReply } from '../../contracts/upstream.ts';

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

export type Buffered = { complete: StoredResponse } | { overflow: UpstreamReply };

/**
 * Reads `response` whole when it is at most `limit` bytes; past the limit it stops and returns a
 * stream of what was read followed by the rest, so the one client it belongs to still gets it all.
 */
export function bufferResponse(reply: UpstreamReply, limit: number): Promise<Buffered> {
  const response = reply.body;
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
      const rest = new PassThrough();
      for (const read of chunks) rest.write(read);
      response.once('error', (error) => rest.destroy(error));
      response.pipe(rest);
      resolve({ overflow: { status: reply.status, headers: reply.headers, body: rest } });
    };
    const onEnd = () => {
      cleanup();
      resolve({
        complete: {
          status: reply.status,
          headers: keptHeaders(reply.headers),
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

/** A fresh reply of a held answer, with `extra` headers (e.g. Idempotent-Replayed) added. */
export function toReply(stored: StoredResponse, extra: Record<string, string> = {}): UpstreamReply {
  const headers = { ...stored.headers, ...extra, 'content-length': String(stored.body.length) };
  return { status: stored.status, headers, body: Readable.from([stored.body], { objectMode: false }) };
}
