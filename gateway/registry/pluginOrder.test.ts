import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../config/configIssues.ts';
import { resolveConfig } from '../config/loadConfigFile.ts';
import { startTestGateway, type TestGateway } from '../../testing/startTestGateway.ts';
import { startUpstream, type TestUpstream } from '../../testing/startUpstream.ts';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}.ts`, import.meta.url));
const started: Array<TestGateway | TestUpstream> = [];
afterEach(async () => {
  for (const thing of started.splice(0)) await ('close' in thing ? thing.close() : thing.stop());
});

async function trailFor(pluginList: Array<{ module: string; enabled?: boolean }>, routePlugins = {}) {
  const upstream = await startUpstream();
  const gateway = await startTestGateway({
    upstreams: { u: { url: upstream.url, health: false } },
    plugins: pluginList,
    routes: [{ path: '/{p*}', upstream: 'u', plugins: routePlugins }],
  });
  started.push(gateway);
  await upstream.close();
  const response = await fetch(`${gateway.url}/x`);
  return {
    trail: response.headers.get('x-trail'),
    order: gateway.gateway.pluginOrder.map((entry) => entry.name),
  };
}

describe('plugin order', () => {
  it('follows declared priority whatever the order of the config lines', async () => {
    const expected =
      'beta:onRequest,gamma:onRequest,alpha:onRequest,beta:onPreResponse,gamma:onPreResponse,alpha:onPreResponse';
    const forwards = await trailFor([
      { module: fixture('alpha') },
      { module: fixture('beta') },
      { module: fixture('gamma') },
    ]);
    const backwards = await trailFor([
      { module: fixture('gamma') },
      { module: fixture('beta') },
      { module: fixture('alpha') },
    ]);
    expect(forwards.trail).toBe(expected);
    expect(backwards.trail).toBe(expected);
    expect(forwards.order).toEqual(['beta', 'gamma', 'alpha']);
  });

  it('leaves out a disabled plugin and lets a route turn a plugin off', async () => {
    const { trail } = await trailFor(
      [
        { module: fixture('alpha') },
        { module: fixture('beta'), enabled: false },
        { module: fixture('gamma') },
      ],
      { gamma: false },
    );
    expect(trail).toBe('gamma:onRequest,alpha:onRequest,alpha:onPreResponse');
  });

  it('shows the resolved order in the admin /config', async () => {
    const upstream = await startUpstream();
    started.push(upstream);
    const gateway = await startTestGateway({
      upstreams: { u: { url: upstream.url, health: false } },
      plugins: [{ name: 'access-log' }, { module: fixture('beta') }, { name: 'cors' }],
    });
    started.push(gateway);
    const body = (await (await fetch(`${gateway.adminUrl}/config`)).json()) as {
      pluginOrder: Array<{ name: string; priority: number }>;
    };
    expect(body.pluginOrder.map(({ name, priority }) => `${name}:${priority}`)).toEqual([
      'beta:5000',
      'cors:2000',
      'access-log:10',
    ]);
  });
});

describe('user plugins', () => {
  it('are held to the plugin contract', async () => {
    const error = await resolveConfig({ plugins: [{ module: fixture('notAPlugin') }] }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(ConfigError);
    const [issue] = (error as ConfigError).issues;
    expect(issue!.path).toBe('plugins[0].module');
    expect(issue!.message).toMatch(
      /not a Portico plugin: name: .*; version: .*; priority: .*; phases: .*; options: .*; register: /,
    );
  });

  it('report a module that cannot be loaded at its path', async () => {
    const error = (await resolveConfig({ plugins: [{ module: './does-not-exist.ts' }] }).catch(
      (caught: unknown) => caught,
    )) as ConfigError;
    expect(error.issues[0]).toMatchObject({
      path: 'plugins[0].module',
      message: expect.stringMatching(/^cannot load plugin module/),
    });
  });

  it('have their options validated by their own schema', async () => {
    const error = (await resolveConfig({
      plugins: [{ module: fixture('alpha'), options: { tag: 7 } }],
    }).catch((caught: unknown) => caught)) as ConfigError;
    expect(error.issues).toEqual([
      { path: 'plugins[0].options.tag', message: expect.stringContaining('expected string') },
    ]);
  });
});
