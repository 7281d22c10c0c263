// Reads a stream whole up to a limit. Past it, the caller gets what was read so far and the paused
// stream, so the body can be put back together: an answer too large to rewrite passes untouched.
import { Readable } from 'node:stream';

export type ReadResult = { complete: true; body: Buffer } | { complete: false; rest: Readable };

export function readUpTo(stream: Readable, limit: number): Promise<ReadResult> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
    };
    const onData = (chunk: Buffer | string) => {
      const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      chunks.push(buffer);
      size += buffer.length;
      if (size <= limit) return;
      stream.pause();
      cleanup();
      // hapi takes byte streams only (Readable.from defaults to object mode).
      resolve({ complete: false, rest: Readable.from(rejoin(chunks, stream), { objectMode: false }) });
    };
    const onEnd = () => {
      cleanup();
      resolve({ complete: true, body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks) });
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    stream.on('data', onData);
    stream.once('end', onEnd);
    stream.once('error', onError);
  });
}

async function* rejoin(head: Buffer[], rest: Readable): AsyncGenerator<Buffer> {
  yield* head;
  for await (const chunk of rest) yield chunk as Buffer;
}
