// The client address for per-IP throttling: behind the gateway, the last X-Forwarded-For hop
// (the one the gateway itself appended); otherwise the socket's peer.
import type { Request } from '@hapi/hapi';

export function clientIp(request: Request, trustProxy: boolean): string {
  const forwarded: unknown = request.headers['x-forwarded-for'];
  if (trustProxy && typeof forwarded === 'string') {
    const last = forwarded.split(',').pop()?.trim();
    if (last) return last;
  }
  return request.info.remoteAddress;
}
