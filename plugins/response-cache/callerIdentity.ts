// Who an entry belongs to on a private route (auth optional or required): the user (with the token's
// issuer: the same sub from two issuers is two people) or the API key. Pure.

/** `anonymous` for a request without credentials; undefined for credentials of a shape we cannot key on (never cached). */
export function callerIdentity(authenticated: boolean, credentials: unknown): string | undefined {
  if (!authenticated) return 'anonymous';
  const facts = (credentials ?? {}) as Record<string, unknown>;
  if (facts.kind === 'api-key' && typeof facts.keyId === 'string' && facts.keyId) return `key:${facts.keyId}`;
  const user = typeof facts.sub === 'string' && facts.sub ? facts.sub : facts.userId;
  if (typeof user === 'string' && user)
    return `user:${typeof facts.issuer === 'string' ? facts.issuer : ''}:${user}`;
  return undefined;
}
