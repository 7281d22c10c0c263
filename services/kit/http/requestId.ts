// The request id: the gateway's `X-Request-Id` when it sent a sane one, else a fresh one.
import { randomUUID } from 'node:crypto';
import type { Request } from '@hapi/hapi';

const SANE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function requestIdOf(request: Request): string {
  const existing = request.app as { requestId?: string };
  if (existing.requestId) return existing.requestId;
  const sent = request.headers['x-request-id'];
  existing.requestId = typeof sent === 'string' && SANE_ID.test(sent) ? sent : randomUUID();
  return existing.requestId;
}
