// The internal identity headers services trust, made from the verified caller and nothing else:
// any x-user-* (or x-api-key-*) header a client or a handler passed along is dropped first.
import type { Caller } from '../../contracts/upstream.ts';

const IDENTITY_HEADER = /^x-(user-|api-key-)/;

// Header values may not carry control characters; identity values come from verified tokens but
// are still made safe to send.
const headerValue = (value: string): string => value.replace(/[^\t\x20-\x7e\x80-\xff]/g, '');

export function isIdentityHeader(name: string): boolean {
  return IDENTITY_HEADER.test(name);
}

export function setIdentityHeaders(
  headers: Record<string, string | string[] | undefined>,
  caller: Caller,
): void {
  for (const name of Object.keys(headers)) if (IDENTITY_HEADER.test(name)) delete headers[name];
  if (caller.userId !== undefined) {
    headers['x-user-id'] = headerValue(caller.userId);
    headers['x-user-roles'] = headerValue((caller.roles ?? []).join(','));
    headers['x-user-scopes'] = headerValue((caller.scopes ?? []).join(' '));
    if (caller.issuer !== undefined) headers['x-user-issuer'] = headerValue(caller.issuer);
  }
  if (caller.apiKeyId !== undefined) headers['x-api-key-id'] = headerValue(caller.apiKeyId);
  if (caller.apiKeyOwner !== undefined) headers['x-api-key-owner'] = headerValue(caller.apiKeyOwner);
}
