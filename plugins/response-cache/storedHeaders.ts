// The headers an entry keeps: the upstream's, without what belongs to one exchange (framing, the
// date, cookies, request ids, a caller's quota) — those are made afresh for every hit.
const NOT_STORED = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'content-length',
  'date',
  'age',
  'set-cookie',
  'x-cache',
  'x-request-id',
  'request-id',
  'ratelimit',
  'ratelimit-policy',
  'retry-after',
]);

export function storedHeaders(headers: Record<string, unknown>): Record<string, string | string[]> {
  const kept: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (NOT_STORED.has(lower)) continue;
    if (
      typeof value === 'string' ||
      (Array.isArray(value) && value.every((item) => typeof item === 'string'))
    )
      kept[lower] = value as string | string[];
    else if (typeof value === 'number') kept[lower] = String(value);
  }
  return kept;
}
