import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MINIMAL_CONFIG, configIssuesOf } from '../../testing/index.ts';
import webBff from './index.ts';
import { webBffOptions } from './schema.ts';

const key = () => randomBytes(32).toString('base64');

describe('web-bff options', () => {
  it('has safe defaults for every option', () => {
    expect(webBffOptions.parse({})).toEqual({
      prefix: '/web/v1',
      appPath: '/web/',
      serveApp: true,
      cookieName: '__Host-portico-web',
      allowedOrigins: [],
      upstreams: {
        identity: 'identity',
        programs: 'programs',
        appointments: 'appointments',
        resources: 'resources',
      },
      session: {
        idleTimeout: 30 * 60_000,
        absoluteTimeout: 12 * 3_600_000,
        refreshBefore: 60_000,
        loginFlowTimeout: 600_000,
      },
      encryptionKeys: [],
      keyPrefix: 'portico:web:',
      maxUploadSize: 110 * 1024 * 1024,
    });
  });

  it('names the bad key: a cookie without __Host-, a short key, duplicate key ids, idle above absolute', async () => {
    const issues = await configIssuesOf({
      ...MINIMAL_CONFIG,
      plugins: [
        {
          name: 'web-bff',
          options: {
            cookieName: 'session',
            encryptionKeys: [
              { id: 'a', key: randomBytes(16).toString('base64') },
              { id: 'b', key: key() },
              { id: 'b', key: key() },
            ],
            session: { idleTimeout: '2h', absoluteTimeout: '1h' },
          },
        },
      ],
    });
    expect(issues).toEqual([
      'plugins[0].options.cookieName: expected a name starting with "__Host-"',
      'plugins[0].options.encryptionKeys[0].key: expected 32 bytes, base64-encoded (openssl rand -base64 32)',
      'plugins[0].options.encryptionKeys[2].id: duplicate key id "b"',
      'plugins[0].options.session.idleTimeout: must not exceed session.absoluteTimeout',
    ]);
  });

  it('its validate hook names each upstream the config lacks', () => {
    const issues = webBff.validate!(webBffOptions.parse({}), {
      pluginPath: 'plugins[0]',
      upstreams: ['programs', 'appointments'],
      routes: [],
      plugins: ['web-bff'],
    });
    expect(issues).toEqual([
      { path: 'plugins[0].options.upstreams.identity', message: 'no upstream named "identity"' },
      { path: 'plugins[0].options.upstreams.resources', message: 'no upstream named "resources"' },
    ]);
  });

  it('refuses duplicate key ids and an idle timeout above the absolute one', () => {
    const result = webBffOptions.safeParse({
      encryptionKeys: [
        { id: 'b', key: key() },
        { id: 'b', key: key() },
      ],
      session: { idleTimeout: '2h', absoluteTimeout: '1h' },
    });
    expect(result.success).toBe(false);
    const paths = result.error?.issues.map((issue) => issue.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['encryptionKeys.1.id', 'session.idleTimeout']));
  });
});
