// Configs for the history tests: version n stamps itself on every answer through three different
// parts of the chain — a plugin option (security-headers' Referrer-Policy), per-route plugin
// options (transform adds x-marker) and the route itself (addPrefix: the upstream sees /v<n>) —
// has a route of its own (/added/v<n>) and its own rate limit, so a response made by a mix of two
// chains shows it.
import type { PorticoConfigInput } from '../../config/schema.ts';

export function versionedConfig(upstreamUrl: string, n: number): PorticoConfigInput {
  return {
    upstreams: { up: { url: upstreamUrl, health: false } },
    plugins: [
      { name: 'security-headers', options: { referrerPolicy: `v${n}` } },
      { name: 'transform' },
      {
        name: 'rate-limit',
        options: { policies: [{ name: 'ip', by: 'ip', points: 1_000_000 + n, per: '1m' }] },
      },
    ],
    routes: [
      {
        name: 'main',
        path: '/main/{p*}',
        upstream: 'up',
        addPrefix: `/v${n}`,
        plugins: { transform: { response: { headers: { add: { 'x-marker': `v${n}` } } } } },
      },
      { name: `added-${n}`, path: `/added/v${n}`, upstream: 'up', addPrefix: `/v${n}` },
    ],
  };
}

/**
 * Version n for the fast path (no plugin with request-phase steps, so proxied routes skip hapi):
 * stamped by a plugin option (Referrer-Policy) and by the route (addPrefix).
 */
export function fastPathConfig(upstreamUrl: string, n: number): PorticoConfigInput {
  return {
    upstreams: { up: { url: upstreamUrl, health: false } },
    plugins: [{ name: 'security-headers', options: { referrerPolicy: `v${n}` } }],
    routes: [
      { name: 'main', path: '/main/{p*}', upstream: 'up', addPrefix: `/v${n}` },
      { name: `added-${n}`, path: `/added/v${n}`, upstream: 'up', addPrefix: `/v${n}` },
    ],
  };
}

/** The version each marker of an answer names (all equal when one chain made it). */
export function markersOf(response: { headers: Headers }, body: { url?: string }): string[] {
  return [
    response.headers.get('referrer-policy') ?? 'none',
    response.headers.get('x-marker') ?? 'none',
    /^\/(v\d+)\//.exec(body.url ?? '')?.[1] ?? 'none',
    `v${Number(/;q=(\d+)/.exec(response.headers.get('ratelimit-policy') ?? '')?.[1] ?? 0) - 1_000_000}`,
  ];
}
