import { describe, expect, it } from 'vitest';
import { configIssuesOf, MINIMAL_CONFIG } from '../../testing/index.ts';
import graphql from './index.ts';
import { endpointSettings, graphqlOptions } from './schema.ts';

describe('graphql options', () => {
  it('defaults are the production ones: introspection, GraphiQL and batching off, errors masked', () => {
    const options = graphqlOptions.parse({});
    expect(options).toMatchObject({
      path: '/graphql',
      auth: 'optional',
      introspection: false,
      graphiql: false,
      maskErrors: true,
      limits: { depth: 8, aliases: 15, directives: 10, tokens: 1000, rootFields: 10, cost: 5000, batch: 0 },
      persisted: { apq: { enabled: true, store: 'auto' }, manifests: [] },
      csrf: { enabled: true },
    });
    expect(Object.keys(options.subgraphs)).toEqual(['identity', 'programs', 'appointments', 'resources']);
  });

  it('an endpoint inherits what it does not set', () => {
    const [main, partners] = endpointSettings(
      graphqlOptions.parse({
        limits: { depth: 6 },
        endpoints: [
          { id: 'graphql.partners', path: '/partners/graphql', auth: 'required', limits: { cost: 100 } },
        ],
      }),
    );
    expect(main).toMatchObject({ id: 'graphql', auth: 'optional', limits: { depth: 6, cost: 5000 } });
    expect(partners).toMatchObject({
      id: 'graphql.partners',
      auth: 'required',
      limits: { depth: 6, cost: 100 },
    });
  });

  it('names the path of a bad key', async () => {
    const issues = await configIssuesOf({
      ...MINIMAL_CONFIG,
      plugins: [{ name: 'graphql', options: { limits: { depth: 0 } } }],
    });
    expect(issues.some((issue) => issue.startsWith('plugins[0].options.limits.depth:'))).toBe(true);
  });

  it('validate names a subgraph whose upstream is not configured, and a bad manifest', () => {
    const issues = graphql.validate!(
      graphqlOptions.parse({ persisted: { manifests: ['/nowhere/manifest.json'] } }),
      {
        pluginPath: 'plugins[2]',
        upstreams: ['programs', 'appointments', 'resources'],
        routes: [],
        plugins: ['graphql'],
      },
    );
    expect(issues.map((issue) => issue.path)).toEqual([
      'plugins[2].options.subgraphs.identity',
      'plugins[2].options.persisted.manifests.0',
    ]);
    expect(issues[0]!.message).toBe(
      'no upstream named "identity" (known: programs, appointments, resources)',
    );
  });
});
