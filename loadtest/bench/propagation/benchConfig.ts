// The config the propagation bench pushes: the shape of a real edge (security headers, CORS, rate
// limits, transform, retry, a breaker; `routes` proxied routes), version n differing from n-1 in
// a plugin option, a limit and one route, as an ops change would.
import type { PorticoConfigInput } from '../../../gateway/config/schema.ts';

export function benchConfig(upstreamUrl: string, n: number, routes: number): PorticoConfigInput {
  return {
    upstreams: { svc: { url: upstreamUrl, health: false } },
    plugins: [
      { name: 'security-headers', options: { referrerPolicy: n % 2 ? 'no-referrer' : 'same-origin' } },
      { name: 'cors', options: { origins: ['https://app.example.edu'] } },
      {
        name: 'rate-limit',
        options: { policies: [{ name: 'ip', by: 'ip', points: 1000 + n, per: '1m' }], store: 'memory' },
      },
      { name: 'transform' },
      { name: 'retry' },
      { name: 'circuit-breaker' },
    ],
    routes: Array.from({ length: routes }, (_, index) => ({
      name: `route-${index}`,
      path: `/api/r${index}/{rest*}`,
      upstream: 'svc',
      stripPrefix: `/api/r${index}`,
      ...(index === n % routes
        ? { plugins: { transform: { response: { headers: { add: { 'x-version': String(n) } } } } } }
        : {}),
    })),
  };
}
