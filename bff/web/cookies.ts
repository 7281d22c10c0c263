// The BFF's two cookies, written by hand so their attributes are exactly these and nothing else.
// The session cookie is `__Host-` (Secure, Path=/, no Domain: only this origin ever gets it) and
// SameSite=Strict. The SSO flow cookie must survive the issuer's cross-site redirect back to the
// callback, so it is SameSite=Lax, lives minutes, and names only a one-use flow record.

/** `Set-Cookie` for the session: a browser-session cookie; the server enforces the timeouts. */
export function sessionCookie(name: string, value: string): string {
  return `${name}=${value}; Path=/; Secure; HttpOnly; SameSite=Strict`;
}

export function clearedCookie(name: string, sameSite: 'Strict' | 'Lax' = 'Strict'): string {
  return `${name}=; Path=/; Secure; HttpOnly; SameSite=${sameSite}; Max-Age=0`;
}

export function loginFlowCookie(name: string, value: string, maxAgeSeconds: number): string {
  return `${name}=${value}; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=${maxAgeSeconds}`;
}

/** The login-flow cookie's name beside a session cookie's. */
export const flowCookieName = (sessionCookieName: string): string => `${sessionCookieName}-login`;

/** A cookie's value from a `Cookie` header, or undefined. The first of duplicate names wins. */
export function readCookie(header: string | string[] | undefined, name: string): string | undefined {
  const text = Array.isArray(header) ? header.join('; ') : header;
  if (!text) return undefined;
  for (const part of text.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
