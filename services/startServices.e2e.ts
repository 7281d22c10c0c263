// The embedded default, as `portico dev` runs it: no env, one fresh in-memory PGlite shared by
// the four services, the bundled feeds synced at start, an admin generated once.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEFAULT_SERVICE_PORTS, startServices } from './index.ts';
import type { StartedServices } from './index.ts';
import { createLogger } from './kit/index.ts';
import { contractClients } from './testing/index.ts';

let services: StartedServices;
let printed = '';

beforeAll(async () => {
  // The generated admin's password goes to stderr once; capture it instead of printing it.
  const spy = vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
    printed += args.join(' ');
  });
  try {
    services = await startServices({
      ports: { identity: 0, programs: 0, appointments: 0, resources: 0 },
      logger: createLogger({ level: 'silent' }),
      env: {},
    });
  } finally {
    spy.mockRestore();
  }
});
afterAll(async () => {
  await services?.stop();
});

describe('startServices with no configuration', () => {
  it('keeps the documented default ports', () => {
    expect(DEFAULT_SERVICE_PORTS).toEqual({
      identity: 7101,
      programs: 7102,
      appointments: 7103,
      resources: 7104,
    });
  });

  it('starts all four on ephemeral ports, healthy and ready', async () => {
    const api = await contractClients(services.urls);
    for (const [name, url] of Object.entries(services.urls)) {
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(url).not.toMatch(/:(0|710\d)$/);
      expect((await api[name as keyof typeof api].request('GET', '/readyz')).status).toBe(200);
    }
    expect(services.issuer).toBe(services.urls.identity);
  });

  it('has synced the bundled feeds and generated a first admin who can log in', async () => {
    const api = await contractClients(services.urls);
    const programs = await api.programs.request('GET', '/programs?limit=100');
    expect(programs.body.items).toHaveLength(20);
    const password = /password:\s+(\S+)/.exec(printed)?.[1];
    expect(password).toBeTruthy();
    const login = await api.identity.request('POST', '/auth/login', {
      json: { email: 'admin@portico.local', password },
    });
    expect(login.status).toBe(200);
    const { access_token } = login.body as { access_token: string };
    // Another service accepts identity's token (JWKS fetched over HTTP).
    const sync = await api.programs.request('POST', '/programs/sync', { token: access_token });
    expect(sync.status).toBe(200);
  });
});
