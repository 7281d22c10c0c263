// The delta-sync cursor: where each service's changes feed was read up to, when it was issued,
// and a check binding it to its user. Not a secret (the services filter by user anyway): the
// check only tells a cursor of ours from garbage or another user's.
import { createHash } from 'node:crypto';

export interface SyncPosition {
  programs: number;
  resources: number;
  appointments: number;
}

export type CursorReading = { ok: true; position: SyncPosition } | { ok: false; why: 'unknown' | 'expired' };

const VERSION = 1;

const checkOf = (userId: string, body: string) =>
  createHash('sha256').update(`${userId}\0${body}`).digest('base64url').slice(0, 16);

export function encodeSyncCursor(userId: string, position: SyncPosition, issuedAt: number): string {
  const body = Buffer.from(
    JSON.stringify({
      v: VERSION,
      p: position.programs,
      r: position.resources,
      a: position.appointments,
      t: issuedAt,
    }),
  ).toString('base64url');
  return `${body}.${checkOf(userId, body)}`;
}

export function readSyncCursor(userId: string, cursor: string, now: number, maxAgeMs: number): CursorReading {
  const [body, check, ...rest] = cursor.split('.');
  if (!body || !check || rest.length > 0 || checkOf(userId, body) !== check)
    return { ok: false, why: 'unknown' };
  let parsed: { v?: unknown; p?: unknown; r?: unknown; a?: unknown; t?: unknown };
  try {
    parsed = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as typeof parsed;
  } catch {
    return { ok: false, why: 'unknown' };
  }
  const counters = [parsed.p, parsed.r, parsed.a];
  if (
    parsed.v !== VERSION ||
    typeof parsed.t !== 'number' ||
    !counters.every((n) => Number.isSafeInteger(n) && (n as number) >= 0)
  )
    return { ok: false, why: 'unknown' };
  if (now - parsed.t > maxAgeMs) return { ok: false, why: 'expired' };
  return {
    ok: true,
    position: {
      programs: parsed.p as number,
      resources: parsed.r as number,
      appointments: parsed.a as number,
    },
  };
}
