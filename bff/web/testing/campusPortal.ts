// The campus IdP for tests: oidc-provider (as services/identity/sso.e2e.ts uses it) on an
// ephemeral port, with one confidential client whose redirect URI is the BFF's callback. Its
// development login and consent pages are what a browser (or `signInThroughPortal`) goes through.
import { createServer, type Server } from 'node:http';
import Provider from 'oidc-provider';

export interface PortalAccount {
  email: string;
  email_verified: boolean;
  name: string;
}

export interface CampusPortal {
  issuer: string;
  client: { clientId: string; clientSecret: string; redirectUri: string };
  accounts: Map<string, PortalAccount>;
  stop(): Promise<void>;
}

export async function startCampusPortal(redirectUri: string): Promise<CampusPortal> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const client = { clientId: 'portico-web', clientSecret: 'portal-client-secret-for-tests', redirectUri };
  const accounts = new Map<string, PortalAccount>();
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: client.clientId,
        client_secret: client.clientSecret,
        redirect_uris: [redirectUri],
        response_types: ['code'],
        grant_types: ['authorization_code'],
      },
    ],
    pkce: { required: () => true },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    conformIdTokenClaims: false,
    async findAccount(_ctx, sub) {
      const account = accounts.get(sub);
      if (!account) return undefined;
      return { accountId: sub, claims: async () => ({ sub, ...account }) };
    },
  });
  server.on('request', provider.callback());
  return {
    issuer,
    client,
    accounts,
    async stop() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** Follows the SSO flow without a browser: the BFF's start, the portal's login and consent pages, the callback. */
export async function signInThroughPortal(
  gatewayUrl: string,
  prefix: string,
  login: string,
): Promise<Response> {
  const jar = new Map<string, string>();
  const send = async (url: string, init: RequestInit = {}) => {
    const response = await fetch(url, {
      ...init,
      redirect: 'manual',
      headers: {
        ...(init.headers as Record<string, string>),
        cookie: [...jar].map(([name, value]) => `${name}=${value}`).join('; '),
      },
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const [name, ...value] = (pair as string).split('=');
      jar.set(name as string, value.join('='));
    }
    return response;
  };
  // Cookies of both hosts share one jar: they are both 127.0.0.1 (cookies ignore ports), as in a browser.
  const next = async (response: Response, from: string) => {
    const location = response.headers.get('location');
    if (!location) throw new Error(`${from} answered ${response.status} without a redirect`);
    return new URL(location, from).toString();
  };
  let url = `${gatewayUrl}${prefix}/login/sso`;
  url = await next(await send(url), url);
  url = await next(await send(url), url);
  for (const prompt of ['login', 'consent']) {
    const submit = await send(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ prompt, login, password: 'any' }).toString(),
    });
    url = await next(submit, url);
    url = await next(await send(url), url);
  }
  // url is now the BFF's callback.
  return send(url);
}
