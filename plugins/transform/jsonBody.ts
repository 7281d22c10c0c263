// A body a rule may rewrite: JSON by its media type, not compressed. Pure helpers, no server.
import { applyBodyRules, type BodyRules } from './fieldPath.ts';

export function isJsonMediaType(contentType: unknown): boolean {
  if (typeof contentType !== 'string') return false;
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  return type === 'application/json' || /^application\/[a-z0-9.+-]+\+json$/.test(type);
}

export function isIdentityEncoded(contentEncoding: unknown): boolean {
  return contentEncoding === undefined || contentEncoding === '' || contentEncoding === 'identity';
}

export type Rewritten = { kind: 'rewritten'; body: Buffer; changed: number } | { kind: 'not-json' };

/** Parses, applies the rules and serialises; `not-json` when the bytes are not JSON (left as they are). */
export function rewriteJson(bytes: Buffer, rules: BodyRules): Rewritten {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch {
    return { kind: 'not-json' };
  }
  const changed = applyBodyRules(value, rules);
  return { kind: 'rewritten', body: changed === 0 ? bytes : Buffer.from(JSON.stringify(value)), changed };
}
