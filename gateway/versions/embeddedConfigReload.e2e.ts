// Regression: every built-in plugin must build again on a reload (the embedded config has them
// all). auth-jwt and api-key made their counters with `new Counter` on the runtime's registry, which
// outlives builds: the second build threw "already registered", so no config with them could reload.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../../testing/startTestGateway.ts';
import { parseYaml } from '../config/loadConfigFile.ts';
import type { PorticoConfigInput } from '../config/schema.ts';

const EMBEDDED = fileURLToPath(new URL('../portico.yaml', import.meta.url));
const embedded = () =>
  parseYaml(readFileSync(EMBEDDED, 'utf8')) as PorticoConfigInput & { plugins: unknown[] };

let gateway: TestGateway;
beforeAll(async () => {
  const document = embedded();
  gateway = await startTestGateway({
    ...document,
    server: { ...document.server, port: 0, admin: { port: 0 } },
  });
});
afterAll(async () => {
  await gateway?.stop();
});

describe('the embedded config (every built-in plugin) reloads', () => {
  it('twice in a row, each a new version, with the metrics going on', async () => {
    for (const points of [5, 6]) {
      const next = embedded();
      next.plugins = next.plugins.map((entry) =>
        (entry as { name?: string }).name === 'rate-limit'
          ? { name: 'rate-limit', options: { policies: [{ name: 'ip', by: 'ip', points, per: '1m' }] } }
          : entry,
      );
      const response = await fetch(`${gateway.adminUrl}/config/versions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...gateway.adminHeaders },
        body: JSON.stringify({ config: next, message: `${points} a minute` }),
      });
      expect(response.status, await response.clone().text()).toBe(201);
    }
    const metrics = await (await fetch(`${gateway.adminUrl}/metrics`)).text();
    expect(metrics).toContain('# TYPE portico_auth_jwt_verifications_total counter');
    expect(metrics).toContain('# TYPE portico_api_key_checks_total counter');
  });
});
