// A fallback's answer, shaped as an upstream reply (status, headers, body stream).
import { Readable } from 'node:stream';
import type { UpstreamReply } from '../../contracts/upstream.ts';
import type { FallbackResponse } from './api.ts';

export function fallbackResponse(answer: FallbackResponse, reason: string): UpstreamReply {
  const isRaw = typeof answer.body === 'string' || Buffer.isBuffer(answer.body);
  const body = isRaw ? Buffer.from(answer.body as string | Buffer) : Buffer.from(JSON.stringify(answer.body));
  const headers: Record<string, string> = { ...lowerCased(answer.headers ?? {}) };
  if (!isRaw && !headers['content-type']) headers['content-type'] = 'application/json; charset=utf-8';
  headers['content-length'] = String(body.length);
  // Says to clients and caches that this is not the upstream's own answer.
  headers['x-portico-fallback'] = reason;
  return { status: answer.status ?? 200, headers, body: Readable.from([body]) };
}

function lowerCased(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
}
