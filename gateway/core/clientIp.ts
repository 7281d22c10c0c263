// The client's address: the socket peer, or, behind N trusted proxies, the address the
// outermost trusted proxy saw. Entries a client wrote into X-Forwarded-For itself are never trusted.

export function clientIp(
  remoteAddress: string | undefined,
  forwardedFor: string | string[] | undefined,
  trustedProxies: number,
): string {
  const peer = stripIpv4Mapped(remoteAddress ?? '');
  if (trustedProxies === 0 || !forwardedFor) return peer;
  const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor)
    .split(',')
    .map((hop) => hop.trim())
    .filter(Boolean);
  // [client-written..., hop appended by proxy N, ..., hop appended by proxy 1 (our peer)]
  const chain = [...hops, peer];
  const index = chain.length - 1 - trustedProxies;
  return stripIpv4Mapped(chain[Math.max(index, 0)]!);
}

function stripIpv4Mapped(address: string): string {
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}
