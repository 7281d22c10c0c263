// The one reader of a request body: validation, dedup and retry all ask it, and the client's
// stream is read once, bounded. A body past a limit is the client's fault (413), never an upstream's.
import type { IncomingMessage } from 'node:http';
import { Transform, type Readable, type TransformCallback } from 'node:stream';

export class BodyTooLarge extends Error {
  readonly code = 'PORTICO_BODY_TOO_LARGE';
  constructor(readonly limit: number) {
    super(`request body larger than ${limit} bytes`);
  }
}

export class BodyAborted extends Error {
  readonly code = 'PORTICO_CLIENT_CLOSED';
  constructor() {
    super('the client closed the request before its body was read');
  }
}

const BODYLESS = new Set(['GET', 'HEAD', 'DELETE', 'OPTIONS']);

/** Whether a request carries a body: framed chunked, a non-zero length, or no length on a method that takes one. */
export function hasRequestBody(method: string, headers: IncomingMessage['headers']): boolean {
  if (headers['transfer-encoding'] !== undefined) return true;
  const declared = headers['content-length'];
  return declared !== undefined ? Number(declared) > 0 : !BODYLESS.has(method);
}

/** Reads `stream` whole, rejecting with BodyTooLarge past `limit` bytes (and stopping there). */
export function readBounded(stream: Readable, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
      stream.off('close', onClose);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        stream.pause();
        reject(new BodyTooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    const onClose = () => {
      cleanup();
      reject(new BodyAborted());
    };
    stream.on('data', onData);
    stream.once('end', onEnd);
    stream.once('error', onError);
    stream.once('close', onClose);
  });
}

/** A streamed body without a declared length is counted on its way and cut at the limit. */
export function countingLimit(limit: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      seen += chunk.length;
      if (seen > limit) callback(new BodyTooLarge(limit));
      else callback(null, chunk);
    },
  });
}

/** Per gateway: each request's body read at most once, whoever asks first; later askers share it. */
export function createBodyReader() {
  const reads = new WeakMap<IncomingMessage, Promise<Buffer>>();
  return function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
    let read = reads.get(req);
    if (!read) {
      const declared = Number(req.headers['content-length']);
      read = declared > maxBytes ? Promise.reject(new BodyTooLarge(maxBytes)) : readBounded(req, maxBytes);
      reads.set(req, read);
    }
    return read.then((body) => {
      if (body.length > maxBytes) throw new BodyTooLarge(maxBytes);
      return body;
    });
  };
}
