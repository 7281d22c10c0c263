// The whole web stack for a test file: the four services, the campus IdP, and one or more
// gateways with the web BFF in front of them (sharing a Redis when given one).
import { randomBytes } from 'node:crypto';
import { freePort, startTestGateway, type TestGateway } from '../../../testing/index.ts';
import { BUNDLED_FEEDS } from '../../../services/programs/config.ts';
import { startTestServices, type TestServices } from '../../../services/testing/index.ts';
import { startCampusPortal, type CampusPortal } from './campusPortal.ts';

export const PREFIX = '/web/v1';
export const COOKIE = '__Host-portico-web';
export const SESSION_KEY = { id: 'k1', key: randomBytes(32).toString('base64') };

export interface WebStack {
  services: TestServices;
  portal: CampusPortal;
  /** Gateway ports, fixed before start so the IdP knows the callback and a restart reuses them. */
  ports: number[];
  gateways: TestGateway[];
  url(instance?: number): string;
  startGateway(instance: number): Promise<TestGateway>;
  stop(): Promise<void>;
}

export interface WebStackOptions {
  instances?: number;
  redisUrl?: string;
  /** Access-token lifetime in seconds; the BFF refreshes within `refreshBefore` of expiry. */
  accessTokenTtl?: number;
  refreshBefore?: string;
  extraKeys?: { id: string; key: string }[];
}

export async function startWebStack(options: WebStackOptions = {}): Promise<WebStack> {
  const ports = await Promise.all(Array.from({ length: options.instances ?? 1 }, () => freePort()));
  const origin = (port: number) => `http://127.0.0.1:${port}`;
  const portal = await startCampusPortal(`${origin(ports[0]!)}${PREFIX}/callback`);
  const services = await startTestServices({
    env: {
      IDENTITY_SSO_ISSUER: portal.issuer,
      IDENTITY_SSO_AUDIENCE: portal.client.clientId,
      IDENTITY_ACCESS_TOKEN_TTL: String(options.accessTokenTtl ?? 900),
      // The bundled RSS feed, synced on demand (syncPrograms), so appointments can name a program.
      PROGRAMS_FEEDS: BUNDLED_FEEDS[0] as string,
    },
  });
  const gateways: TestGateway[] = [];
  const startGateway = async (instance: number) => {
    const port = ports[instance]!;
    const gateway = await startTestGateway({
      server: { port, host: '127.0.0.1' },
      ...(options.redisUrl && { redis: { url: options.redisUrl } }),
      upstreams: {
        identity: { url: services.urls.identity },
        programs: { url: services.urls.programs },
        appointments: { url: services.urls.appointments },
        resources: { url: services.urls.resources },
      },
      plugins: [
        {
          name: 'web-bff',
          options: {
            allowedOrigins: ports.map(origin),
            encryptionKeys: [SESSION_KEY, ...(options.extraKeys ?? [])],
            session: { refreshBefore: options.refreshBefore ?? '60s' },
            sso: {
              issuer: portal.issuer,
              clientId: portal.client.clientId,
              clientSecret: portal.client.clientSecret,
              redirectUri: portal.client.redirectUri,
              label: 'CSU Portal SSO',
            },
          },
        },
      ],
    });
    gateways[instance] = gateway;
    return gateway;
  };
  for (let instance = 0; instance < ports.length; instance++) await startGateway(instance);
  return {
    services,
    portal,
    ports,
    gateways,
    url: (instance = 0) => origin(ports[instance]!),
    startGateway,
    async stop() {
      await Promise.all(gateways.map((gateway) => gateway?.stop()));
      await services.stop();
      await portal.stop();
    },
  };
}

/** Syncs the bundled feed and returns one program's id and title. */
export async function aProgram(services: TestServices): Promise<{ id: string; title: string }> {
  const token = await services.adminToken();
  const sync = await fetch(`${services.urls.programs}/programs/sync`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
  });
  if (sync.status >= 300) throw new Error(`programs sync answered ${sync.status}`);
  const page = (await (await fetch(`${services.urls.programs}/programs?limit=1`)).json()) as {
    items: { id: string; title: string }[];
  };
  if (!page.items[0]) throw new Error('no program after the sync');
  return page.items[0];
}

/** Books an appointment as a student, straight at the service. */
export async function book(
  services: TestServices,
  token: string,
  body: { serviceType: string; startsAt: string; programId?: string },
): Promise<{ id: string }> {
  const response = await fetch(`${services.urls.appointments}/appointments`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (response.status !== 201)
    throw new Error(`booking answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as { id: string };
}

/** Browser-like headers of a same-origin fetch from the SPA. */
export const SAME_ORIGIN = { 'sec-fetch-site': 'same-origin', 'x-csrf': '1' } as const;

export const JWT = /eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}/;

/** Logs in with a password; returns the session cookie pair and the raw Set-Cookie line. */
export async function passwordLogin(
  url: string,
  email: string,
  password: string,
): Promise<{ cookie: string; setCookie: string; response: Response; body: string }> {
  const response = await fetch(`${url}${PREFIX}/login`, {
    method: 'POST',
    headers: { ...SAME_ORIGIN, 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  const body = await response.text();
  if (response.status !== 200) throw new Error(`login answered ${response.status}: ${body}`);
  const setCookie = response.headers.getSetCookie()[0] ?? '';
  return { cookie: setCookie.split(';')[0] as string, setCookie, response, body };
}
