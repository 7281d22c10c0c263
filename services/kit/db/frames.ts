// Length-prefixed v8-serialized frames over a stream socket: what the shared PGlite host and its
// clients say to each other. v8 serialization keeps Dates, byte arrays and bigints as they are.
import type { Socket } from 'node:net';
import { deserialize, serialize } from 'node:v8';

export interface DatabaseCall {
  id: number;
  op: 'query' | 'exec' | 'begin' | 'commit' | 'rollback';
  /** The transaction a statement runs in (from `begin`'s answer). */
  tx?: number;
  text?: string;
  params?: unknown[];
}

export interface DatabaseAnswer {
  id: number;
  result?: unknown;
  /** A Postgres error's fields that callers switch on (code, constraint...), and its message. */
  error?: Record<string, unknown> & { message: string };
}

export function writeFrame(socket: Socket, value: DatabaseCall | DatabaseAnswer): void {
  const payload = serialize(value);
  const header = Buffer.allocUnsafe(4);
  header.writeUInt32BE(payload.length);
  socket.write(Buffer.concat([header, payload]));
}

/** Calls `onFrame` for each whole frame read from `socket`. */
export function readFrames<T>(socket: Socket, onFrame: (value: T) => void): void {
  let buffered: Buffer = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
    while (buffered.length >= 4) {
      const length = buffered.readUInt32BE(0);
      if (buffered.length < 4 + length) break;
      const frame = buffered.subarray(4, 4 + length);
      buffered = buffered.subarray(4 + length);
      onFrame(deserialize(frame) as T);
    }
  });
}

/** The fields of a Postgres error worth carrying across (isUniqueViolation reads code and constraint). */
export function errorFields(error: unknown): DatabaseAnswer['error'] {
  if (!(error instanceof Error)) return { message: String(error) };
  const fields: Record<string, unknown> = { message: error.message };
  for (const key of ['code', 'constraint', 'detail', 'table', 'column', 'schema', 'severity']) {
    const value = (error as unknown as Record<string, unknown>)[key];
    if (typeof value === 'string') fields[key] = value;
  }
  return fields as DatabaseAnswer['error'];
}
