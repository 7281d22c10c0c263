// The gateway of the mobile rows: auth-jwt against the services' identity, the mobile BFF, and
// the public REST routes a client without the BFF would call for the same screen.
import type { PorticoConfigInput } from '../../../gateway/config/schema.ts';

export function mobileBenchConfig(urls: Record<string, string>, issuer: string): PorticoConfigInput {
  const rest = (name: string, path: string, upstream: string) => ({
    name,
    path,
    upstream,
    stripPrefix: '/api/v1',
    auth: 'required' as const,
  });
  return {
    server: { port: 0, admin: { port: 0 } },
    upstreams: Object.fromEntries(
      Object.entries(urls).map(([name, url]) => [name, { url, health: false as const }]),
    ),
    plugins: [
      {
        name: 'auth-jwt',
        options: {
          issuers: [{ issuer, audiences: ['portico'], jwksUri: `${urls.identity}/.well-known/jwks.json` }],
        },
      },
      { name: 'mobile-bff' },
    ],
    routes: [
      rest('programs', '/api/v1/programs/{rest*}', 'programs'),
      rest('appointments', '/api/v1/appointments/{rest*}', 'appointments'),
      rest('notices', '/api/v1/notices', 'appointments'),
      rest('resources', '/api/v1/resources/{rest*}', 'resources'),
    ],
  };
}
