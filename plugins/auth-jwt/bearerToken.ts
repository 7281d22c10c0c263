// The bearer token of an Authorization header (RFC 6750 §2.1): undefined when the header uses
// another scheme or is absent (then another strategy may apply); '' when "Bearer" has no token.

export function bearerToken(authorization: string | undefined): string | undefined {
  if (!authorization) return undefined;
  const match = /^Bearer(?:\s+(.*))?$/is.exec(authorization.trim());
  if (!match) return undefined;
  return (match[1] ?? '').trim();
}
