// Bodies stream through; a body without a declared length is counted on the way and cut at the limit.
import { Transform, type TransformCallback } from 'node:stream';

export class BodyTooLarge extends Error {
  readonly code = 'PORTICO_BODY_TOO_LARGE';
  constructor(readonly limit: number) {
    super(`request body larger than ${limit} bytes`);
  }
}

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
