// ETags from the content: the same JSON gives the same tag on every instance. Weak, because the
// bytes differ by Content-Encoding while the content is the same.
import { createHash } from 'node:crypto';

export function entityTag(body: Buffer): string {
  return `W/"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
}

/** If-None-Match by weak comparison (RFC 9110 13.1.2): a listed tag or `*` matches. */
export function matchesIfNoneMatch(header: string | undefined, tag: string): boolean {
  if (!header) return false;
  const opaque = (value: string) => value.trim().replace(/^W\//, '');
  const wanted = opaque(tag);
  return header.split(',').some((candidate) => candidate.trim() === '*' || opaque(candidate) === wanted);
}
