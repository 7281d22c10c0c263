import { Readable } from 'node:stream';
import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { BodyTooLarge, createBodyReader, hasRequestBody } from './requestBody.ts';

const stream = (chunks: string[], headers: Record<string, string> = {}) =>
  Object.assign(Readable.from(chunks.map((chunk) => Buffer.from(chunk))), {
    headers,
  }) as unknown as IncomingMessage;

describe('the request body reader', () => {
  it('knows when a request carries a body', () => {
    expect(hasRequestBody('POST', {})).toBe(true);
    expect(hasRequestBody('GET', {})).toBe(false);
    expect(hasRequestBody('POST', { 'content-length': '0' })).toBe(false);
    expect(hasRequestBody('POST', { 'content-length': '3' })).toBe(true);
    expect(hasRequestBody('GET', { 'transfer-encoding': 'chunked' })).toBe(true);
  });

  it('reads a body once, whoever asks, and shares it', async () => {
    const readBody = createBodyReader();
    const req = stream(['ab', 'cd']);
    const [first, second] = await Promise.all([readBody(req, 10), readBody(req, 10)]);
    expect(first.toString()).toBe('abcd');
    expect(second).toBe(first);
  });

  it('refuses a body past the limit, declared or counted', async () => {
    const readBody = createBodyReader();
    await expect(readBody(stream(['x'], { 'content-length': '99' }), 10)).rejects.toBeInstanceOf(
      BodyTooLarge,
    );
    await expect(readBody(stream(['0123456', '789ab']), 10)).rejects.toBeInstanceOf(BodyTooLarge);
    const small = stream(['0123']);
    await readBody(small, 10);
    await expect(readBody(small, 3)).rejects.toBeInstanceOf(BodyTooLarge);
  });
});
