// graphql: one /graphql stitched from the services' subschemas, behind the gateway's auth, with
// operation limits, persisted operations, masked errors and per-operation metrics. Wiring only:
// the schema, executors, limits, persisted-query flow and formatting live in their own files.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { definePlugin, type ConfigIssue } from '../../contracts/plugin.ts';
import { buildStitchedSchema } from './buildStitchedSchema.ts';
import { createEndpointHandler } from './createEndpointHandler.ts';
import { createOperationMetrics } from './operationMetrics.ts';
import { loadManifests, manifestIssues } from './persistedManifest.ts';
import { endpointSettings, graphqlOptions, type GraphqlOptions } from './schema.ts';
import type { ApqStore } from './stores/apqStore.ts';
import { memoryApqStore } from './stores/memory.ts';
import { redisApqStore } from './stores/redis.ts';
import { createSubgraphExecutor } from './subgraphExecutor.ts';

export type { GraphQLRequestState } from './createEndpointHandler.ts';

export const PLUGIN_NAME = 'graphql';

/** Where a subgraph's SDL is read from: the contracts the services themselves serve, unless told. */
function sdlLocation(name: string, sdlFile: string | undefined): string | URL {
  return sdlFile ? resolve(sdlFile) : new URL(`../../contracts/graphql/${name}.graphql`, import.meta.url);
}

function readSdl(name: string, sdlFile: string | undefined): string {
  return readFileSync(sdlLocation(name, sdlFile), 'utf8');
}

function apqStoreOf(
  options: GraphqlOptions,
  redis: Parameters<typeof redisApqStore>[0] | undefined,
): ApqStore | undefined {
  const apq = options.persisted.apq;
  if (!apq.enabled) return undefined;
  if (apq.store === 'redis' && !redis)
    throw new Error('graphql: options.persisted.apq.store "redis" needs a redis entry in the gateway config');
  return apq.store !== 'memory' && redis
    ? redisApqStore(redis, { keyPrefix: apq.keyPrefix, ttl: apq.ttl })
    : memoryApqStore({ maxEntries: apq.maxEntries, ttl: apq.ttl });
}

function configIssues(
  options: GraphqlOptions,
  config: { upstreams: readonly string[] },
  at = 'options',
): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const [name, subgraph] of Object.entries(options.subgraphs)) {
    const upstream = subgraph.upstream ?? name;
    if (!config.upstreams.includes(upstream))
      issues.push({
        path: `${at}.subgraphs.${name}${subgraph.upstream ? '.upstream' : ''}`,
        message: `no upstream named "${upstream}" (known: ${config.upstreams.join(', ')})`,
      });
    try {
      readSdl(name, subgraph.sdlFile);
    } catch (error) {
      issues.push({
        path: `${at}.subgraphs.${name}.sdlFile`,
        message: `cannot read the SDL: ${(error as Error).message}`,
      });
    }
  }
  const ids = endpointSettings(options).map((endpoint) => endpoint.id);
  ids.forEach((id, index) => {
    if (ids.indexOf(id) !== index)
      issues.push({ path: `${at}.endpoints.${index - 1}.id`, message: `route id "${id}" is used twice` });
  });
  return [...issues, ...manifestIssues(options.persisted.manifests, `${at}.persisted.manifests`)];
}

export default definePlugin({
  name: PLUGIN_NAME,
  version: '1.0.0',
  priority: 100,
  phases: ['handler'],
  options: graphqlOptions,
  validate: (options, config) => configIssues(options, config, `${config.pluginPath}.options`),
  register(server, options) {
    const gateway = server.portico;
    const log = gateway.logger.child({ plugin: PLUGIN_NAME });
    // The same checks as `validate`, so a bad config never serves, whoever calls the hook.
    const issues = configIssues(options, { upstreams: [...gateway.upstreams.keys()] });
    if (issues.length > 0)
      throw new Error(`graphql: ${issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ')}`);

    // 1. The stitched schema, from the SDLs in the repo: a service that is down at start costs
    // nothing here; its fields answer SUBGRAPH_UNAVAILABLE errors until it is back.
    const schema = buildStitchedSchema(
      Object.entries(options.subgraphs).map(([name, subgraph]) => ({
        name,
        sdl: readSdl(name, subgraph.sdlFile),
        executor: createSubgraphExecutor({
          name,
          upstream: subgraph.upstream ?? name,
          getMaxUrl: options.subgraphGetMaxUrl,
          maxResponseSize: options.maxSubgraphResponseSize,
        }),
      })),
    );

    // 2. Persisted operations: the manifests (re-read on every reload) and the APQ store, kept
    // across reloads so registered queries survive one.
    const manifest = loadManifests(options.persisted.manifests);
    const apq = gateway.keep(`graphql:apq:${JSON.stringify(options.persisted.apq)}`, () =>
      apqStoreOf(options, gateway.redis),
    );
    const metrics = gateway.keep('graphql:metrics', () =>
      createOperationMetrics(gateway.metrics, options.maxOperationNames),
    );

    // 3. One route per endpoint, each with its own limits and caches.
    let page: Promise<string> | undefined;
    const graphiqlPage = (path: string) => () =>
      (page ??= import('@graphql-yoga/render-graphiql').then(({ renderGraphiQL }) =>
        renderGraphiQL({ endpoint: path, title: 'Portico GraphQL', headers: '' }),
      ));
    const endpoints = endpointSettings(options);
    for (const settings of endpoints) {
      const handler = createEndpointHandler({
        settings,
        options,
        schema,
        gateway,
        manifest,
        apq,
        metrics,
        graphiqlPage: settings.graphiql ? graphiqlPage(settings.path) : undefined,
      });
      // One id for both methods: the same upstream pipeline and metrics; hapi wants a body policy per method.
      const route = {
        id: settings.id,
        path: settings.path,
        auth: settings.auth,
        plugins: settings.plugins,
        handler,
      };
      gateway.route([
        { ...route, method: 'GET' },
        { ...route, method: 'POST', body: { mode: 'buffer', maxBytes: options.maxBodySize, parse: false } },
      ]);
    }
    log.info(
      {
        event: 'graphql_ready',
        endpoints: endpoints.map(({ id, path, auth }) => ({ id, path, auth })),
        subgraphs: Object.keys(options.subgraphs),
        persistedOperations: manifest.size,
        apq: apq?.kind ?? 'off',
      },
      'graphql endpoints registered',
    );
  },
});
