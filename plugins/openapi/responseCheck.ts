// Response validation for staging: the answer streams to the client untouched while a copy (up to
// a limit) is collected; at its end the copy is checked against the operation's response schema.
// A mismatch is reported, never turned into an error: clients see exactly what the service sent.
import { Transform } from 'node:stream';
import type { Operation } from 'openapi-backend';
import { fieldErrors, type FieldError } from './fieldErrors.ts';
import type { LoadedContract } from './loadContract.ts';

export function checkResponseBody(
  contract: LoadedContract,
  operation: Operation,
  status: number,
  body: unknown,
): FieldError[] {
  const result = contract.backend.validator.validateResponse(body, operation, status);
  return fieldErrors(result.errors ?? []).map((error) => ({
    ...error,
    path: error.path === '/' ? '/response' : `/response${error.path}`,
  }));
}

/** A pass-through stream that hands the whole body (or `undefined` past `limit`) to `onEnd`. */
export function teeForCheck(limit: number, onEnd: (body: Buffer | undefined) => void): Transform {
  const chunks: Buffer[] = [];
  let size = 0;
  let overflow = false;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      if (!overflow) {
        size += chunk.length;
        if (size > limit) {
          overflow = true;
          chunks.length = 0;
        } else chunks.push(chunk);
      }
      done(null, chunk);
    },
    flush(done) {
      done();
      onEnd(overflow ? undefined : Buffer.concat(chunks));
    },
  });
}
