// Access tokens: short-lived ES256 JWTs (RFC 9068 profile) that every service verifies itself.
import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import type { SigningKeys } from '../keys/signingKeys.ts';
import type { User } from '../users/userStore.ts';

export async function issueAccessToken(
  keys: SigningKeys,
  claims: { issuer: string; audience: string; ttlSeconds: number },
  user: User,
): Promise<string> {
  const { kid, key } = await keys.active();
  return new SignJWT({ roles: user.roles, email: user.email })
    .setProtectedHeader({ alg: 'ES256', kid, typ: 'at+jwt' })
    .setIssuer(claims.issuer)
    .setAudience(claims.audience)
    .setSubject(user.id)
    .setIssuedAt()
    .setExpirationTime(`${claims.ttlSeconds}s`)
    .setJti(randomUUID())
    .sign(key);
}
