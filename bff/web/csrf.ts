// The CSRF rule for every state-changing request under the BFF's prefix (README, "CSRF"): the
// request must come from this origin (Fetch Metadata `Sec-Fetch-Site: same-origin`, or for clients
// that send no Fetch Metadata an `Origin` in the configured list) AND carry `X-CSRF: 1`, a header a
// cross-site form cannot send and a cross-site fetch cannot send without a preflight we never grant.

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export const CSRF_HEADER = 'x-csrf';

export function changesState(method: string): boolean {
  return !SAFE_METHODS.has(method.toUpperCase());
}

type Headers = Record<string, string | string[] | undefined>;

const single = (value: string | string[] | undefined) => (Array.isArray(value) ? undefined : value);

/** Why a state-changing request is refused, or undefined when it passes. */
export function csrfRefusal(headers: Headers, allowedOrigins: ReadonlySet<string>): string | undefined {
  const site = single(headers['sec-fetch-site']);
  if (site !== undefined) {
    if (site !== 'same-origin') return `cross-origin request refused (Sec-Fetch-Site: ${site})`;
  } else {
    const origin = single(headers.origin);
    if (origin === undefined) return 'a state-changing request needs Sec-Fetch-Site or an Origin header';
    if (!allowedOrigins.has(origin)) return 'request from an origin that is not allowed';
  }
  if (single(headers[CSRF_HEADER]) !== '1') return 'the X-CSRF: 1 header is required';
  return undefined;
}
