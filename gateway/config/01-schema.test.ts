import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError } from './configIssues.ts';
import { CONFIG_JSON_SCHEMA_PATH, renderConfigJsonSchema } from './emitJsonSchema.ts';
import { parseYaml, resolveConfig } from './loadConfigFile.ts';
import { configIssuesOf as issuesOf, MINIMAL_CONFIG as base } from '../../testing/configIssuesOf.ts';

describe('config schema', () => {
  it('fills every default so an almost empty file is a working, safe config', async () => {
    const { config } = await resolveConfig(base);
    expect(config.server).toMatchObject({
      host: '0.0.0.0',
      port: 8080,
      admin: { host: '127.0.0.1', port: 9901 },
      trustedProxies: 0,
    });
    expect(config.upstreams.programs).toMatchObject({
      timeout: 30_000,
      connectTimeout: 2_000,
      health: { path: '/healthz', interval: 5_000 },
    });
    expect(config.routes[0]).toMatchObject({
      methods: '*',
      auth: 'none',
      websocket: false,
      maxBodySize: 10 * 1024 * 1024,
    });
  });

  it('names the path of a route pointing at an unknown upstream', async () => {
    expect(await issuesOf({ ...base, routes: [{ path: '/x', upstream: 'nowhere' }] })).toEqual([
      'routes[0].upstream: no upstream named "nowhere" (known: programs)',
    ]);
  });

  it('refuses a route with auth when no enabled plugin has an auth strategy', async () => {
    const route = { path: '/x', upstream: 'programs', auth: 'required' };
    expect(await issuesOf({ ...base, routes: [route] })).toEqual([
      'routes[0].auth: auth: required needs an enabled plugin with an auth strategy (auth-jwt, api-key)',
    ]);
    const apiKey = { name: 'api-key', enabled: false };
    expect(await issuesOf({ ...base, routes: [route], plugins: [apiKey] })).toHaveLength(1);
    expect(await issuesOf({ ...base, routes: [route], plugins: [{ name: 'api-key' }] })).toEqual([]);
  });

  it('names the path of an unknown plugin and lists the known ones', async () => {
    const [issue] = await issuesOf({ ...base, plugins: [{ name: 'nope' }] });
    expect(issue).toMatch(/^plugins\[0\]\.name: unknown plugin "nope" \(known: .*cors.*\)$/);
  });

  it('rejects a negative timeout with the path of the key', async () => {
    const issues = await issuesOf({ upstreams: { programs: { url: 'http://127.0.0.1:1', timeout: -5 } } });
    expect(issues).toEqual([
      'upstreams.programs.timeout: expected a non-negative duration like "5s" or "250ms"',
    ]);
  });

  it('reports every bad key of a file at once', async () => {
    const issues = await issuesOf({
      server: { port: 'eighty', prot: 1 },
      upstreams: { programs: { url: 'ftp://x' } },
      routes: [{ path: 'no-slash', upstream: 'programs' }],
    });
    expect(issues.map((issue) => issue.split(':')[0])).toEqual(
      expect.arrayContaining(['server.port', 'server.prot', 'upstreams.programs.url', 'routes[0].path']),
    );
  });

  it('validates plugin options with the plugin schema and prefixes the path', async () => {
    const issues = await issuesOf({
      ...base,
      plugins: [{ name: 'access-log' }, { name: 'cors', options: { origins: ['not an origin'] } }],
    });
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatch(/^plugins\[1\]\.options\.origins\[0\]: expected "\*" or an origin/);
  });

  it('validates per-route plugin options and refuses options for plugins not configured', async () => {
    const issues = await issuesOf({
      ...base,
      plugins: [{ name: 'security-headers' }],
      routes: [
        { path: '/a/{p*}', upstream: 'programs', plugins: { 'security-headers': { frameOptions: 'ALLOW' } } },
        { path: '/b/{p*}', upstream: 'programs', plugins: { cors: false } },
      ],
    });
    expect(issues).toEqual([
      expect.stringMatching(/^routes\[0\]\.plugins\.security-headers\.frameOptions: /),
      'routes[1].plugins.cors: plugin "cors" is not configured in plugins',
    ]);
  });

  it('refuses the same plugin twice and a route pair with the same path and method', async () => {
    const issues = await issuesOf({
      ...base,
      plugins: [{ name: 'cors' }, { name: 'cors' }],
      routes: [base.routes[0], base.routes[0]],
    });
    expect(issues).toEqual([
      'plugins[1].name: plugin "cors" is already configured at plugins[0]',
      'routes[1].path: same path and method as routes[0]',
    ]);
  });

  it('reports YAML syntax errors instead of throwing', () => {
    expect(() => parseYaml('server: [unclosed')).toThrow(ConfigError);
  });

  it('keeps contracts/portico-config.schema.json in step with the schema (npm run schema rewrites it)', () => {
    expect(readFileSync(CONFIG_JSON_SCHEMA_PATH, 'utf8')).toBe(renderConfigJsonSchema());
  });
});
