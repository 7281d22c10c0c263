// Pure HTTP semantics for downloads (RFC 9110): If-None-Match, If-Range and single byte ranges.
// Multiple ranges are answered with the whole file, which the RFC allows.

export type DownloadPlan =
  | { kind: 'not-modified' }
  | { kind: 'full' }
  | { kind: 'partial'; start: number; end: number }
  | { kind: 'unsatisfiable' };

function etagMatches(header: string, etag: string): boolean {
  // Weak comparison, as If-None-Match requires.
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  return header.split(',').some((tag) => tag.trim() === '*' || opaque(tag) === opaque(etag));
}

export function planDownload(
  headers: { ifNoneMatch?: string; range?: string; ifRange?: string },
  etag: string,
  size: number,
): DownloadPlan {
  if (headers.ifNoneMatch && etagMatches(headers.ifNoneMatch, etag)) return { kind: 'not-modified' };
  if (!headers.range) return { kind: 'full' };
  // If-Range with a different (or weak) validator: the client's partial copy is stale.
  if (headers.ifRange !== undefined && headers.ifRange.trim() !== etag) return { kind: 'full' };
  const match = /^bytes=(\d*)-(\d*)$/.exec(headers.range.trim());
  if (!match || (match[1] === '' && match[2] === '')) return { kind: 'full' }; // unparseable: ignore
  const [, first, last] = match as unknown as [string, string, string];
  let start: number;
  let end: number;
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0) return { kind: 'unsatisfiable' };
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(first);
    end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
    if (last !== '' && Number(last) < start) return { kind: 'full' }; // invalid: ignore
  }
  if (start >= size || size === 0) return { kind: 'unsatisfiable' };
  return { kind: 'partial', start, end };
}
