// Keyset pagination: an opaque cursor holding the sort key of the last item returned.
import { z } from 'zod';
import { badRequest } from './http/problems.ts';

export function encodeCursor(key: unknown[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export function decodeCursor(cursor: string): unknown[] {
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(key)) return key;
  } catch {
    // fall through to the 400 below
  }
  throw badRequest('Invalid cursor: pass back the nextCursor of a previous page unchanged.');
}

/** `limit` for list endpoints: 1..100, 20 when absent. */
export const pageLimit = z.coerce.number().int().min(1).max(100).default(20);

/**
 * One page from `limit + 1` rows fetched in sort order: the extra row only says another page
 * exists; the cursor holds the sort key of the last row returned.
 */
export function keysetPage<T>(
  rows: T[],
  limit: number,
  sortKey: (row: T) => unknown[],
): { items: T[]; nextCursor: string | null } {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(sortKey(last)) : null };
}
