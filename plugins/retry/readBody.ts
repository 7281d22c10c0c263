// Reads a request body whose size is known to be small, so it can be sent again on a retry.
import type { Readable } from 'node:stream';

export function readBody(stream: Readable): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const onClose = () => reject(new Error('the client closed the request before its body was read'));
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.once('error', reject);
    stream.once('close', onClose);
    stream.once('end', () => {
      stream.off('close', onClose);
      resolve(Buffer.concat(chunks));
    });
  });
}
