import { z } from 'zod';
import { byteSize, duration } from '../../contracts/units.ts';

const count = (fallback: number, description: string) =>
  z.number().int().min(1).default(fallback).describe(description);

// Each field once, without its default: the plugin-wide values default them, an endpoint's
// override leaves them unset so it inherits.
const limitFields = {
  depth: () => z.number().int().min(1).describe('Deepest selection nesting (graphql-armor max-depth)'),
  aliases: () => z.number().int().min(0).describe('Aliases per operation (graphql-armor max-aliases)'),
  directives: () =>
    z.number().int().min(0).describe('Directives per operation (graphql-armor max-directives)'),
  tokens: () => z.number().int().min(1).describe('Lexer tokens per document (graphql-armor max-tokens)'),
  rootFields: () => z.number().int().min(1).describe('Fields selected at the root of an operation'),
  cost: () =>
    z
      .number()
      .int()
      .min(1)
      .describe('Largest estimated cost: every object field costs 1, times the list sizes above it'),
  defaultListSize: () =>
    z
      .number()
      .int()
      .min(1)
      .describe('List size assumed when a list field has no limit/first/last/ids argument'),
  batch: () =>
    z.number().int().min(0).describe('Operations in one batched (JSON array) request; 0 turns batching off'),
};

const limits = z
  .object({
    depth: limitFields.depth().default(8),
    aliases: limitFields.aliases().default(15),
    directives: limitFields.directives().default(10),
    tokens: limitFields.tokens().default(1000),
    rootFields: limitFields.rootFields().default(10),
    cost: limitFields.cost().default(5000),
    defaultListSize: limitFields.defaultListSize().default(20),
    batch: limitFields.batch().default(0),
  })
  .strict();

const limitOverrides = z
  .object(
    Object.fromEntries(Object.entries(limitFields).map(([name, field]) => [name, field().optional()])) as {
      [K in keyof typeof limitFields]: z.ZodOptional<ReturnType<(typeof limitFields)[K]>>;
    },
  )
  .strict();

const safelist = z
  .object({
    apiKeys: z
      .array(z.string().min(1))
      .default([])
      .describe('API key ids whose callers may run manifest operations only'),
    audiences: z
      .array(z.string().min(1))
      .default([])
      .describe('JWT audiences (aud) whose callers may run manifest operations only'),
    everyone: z.boolean().default(false).describe('Every caller may run manifest operations only'),
  })
  .strict();

const persisted = z
  .object({
    apq: z
      .object({
        enabled: z.boolean().default(true),
        store: z
          .enum(['auto', 'memory', 'redis'])
          .default('auto')
          .describe('Where registered queries live; auto: Redis when the gateway has one, else memory'),
        ttl: duration().prefault('24h').describe('How long a registered query is kept'),
        maxEntries: count(10_000, 'Memory store: queries kept before the least recent go'),
        keyPrefix: z.string().default('portico:graphql:apq:').describe('Redis key prefix'),
      })
      .strict()
      .prefault({}),
    manifests: z
      .array(z.string().min(1))
      .default([])
      .describe(
        'Apollo persisted-query manifests (JSON), paths relative to the working directory; their operations run by hash for anyone, and are all a safelisted caller may run',
      ),
    safelist: safelist.prefault({}),
    cacheControl: z
      .string()
      .min(1)
      .optional()
      .describe(
        'Cache-Control of an error-free GET answer to a persisted operation from an anonymous caller (e.g. "public, max-age=60"), so a CDN can keep it; unset: the gateway default (no-store)',
      ),
  })
  .strict();

const subgraph = z
  .object({
    upstream: z.string().optional().describe('The upstream that serves it; default: the subgraph name'),
    sdlFile: z
      .string()
      .optional()
      .describe('Its SDL, relative to the working directory; default: contracts/graphql/<name>.graphql'),
  })
  .strict();

const AUTH = z.enum(['none', 'optional', 'required']);

const endpoint = z
  .object({
    id: z
      .string()
      .regex(/^[a-z0-9][a-z0-9._-]*$/)
      .describe('Route id in metrics, logs and upstream pipelines'),
    path: z.string().startsWith('/'),
    auth: AUTH.optional(),
    limits: limitOverrides.optional(),
    introspection: z.boolean().optional(),
    graphiql: z.boolean().optional(),
    safelistOnly: z
      .boolean()
      .optional()
      .describe('Every caller of this endpoint may run manifest operations only'),
    plugins: z
      .record(z.string(), z.unknown())
      .optional()
      .describe('Per-route options of other plugins for this route (replaces the plugin-wide `plugins`)'),
  })
  .strict();

const routePlugins = () =>
  z
    .record(z.string(), z.unknown())
    .default({})
    .describe(
      'Per-route options of other plugins for the GraphQL routes, as routes[i].plugins: { api-key: {} } turns API keys on, { rate-limit: {...} } tightens limits',
    );

export const graphqlOptions = z
  .object({
    path: z.string().startsWith('/').default('/graphql'),
    routeId: z.string().default('graphql').describe('Route id of `path` in metrics, logs and pipelines'),
    auth: AUTH.default('optional').describe(
      'Route auth mode: the gateway strategies (auth-jwt, api-key) in priority order',
    ),
    plugins: routePlugins(),
    endpoints: z
      .array(endpoint)
      .default([])
      .describe('More GraphQL routes over the same schema, each with its own auth, limits and safelist'),
    subgraphs: z
      .record(z.string().regex(/^[a-z][a-z0-9-]*$/), subgraph)
      .default({ identity: {}, programs: {}, appointments: {}, resources: {} })
      .describe('The services stitched together, by name'),
    limits: limits.prefault({}),
    persisted: persisted.prefault({}),
    csrf: z
      .object({
        enabled: z.boolean().default(true),
        requiredHeaders: z
          .array(z.string().toLowerCase())
          .min(1)
          .default(['x-graphql-csrf', 'apollo-require-preflight', 'x-apollo-operation-name'])
          .describe('A GET or a simple-content-type POST needs one of these headers'),
      })
      .strict()
      .prefault({}),
    introspection: z.boolean().default(false).describe('Answer __schema / __type queries'),
    graphiql: z.boolean().default(false).describe('Serve the GraphiQL page on a browser GET of the path'),
    maskErrors: z
      .boolean()
      .default(true)
      .describe('Replace messages of unexpected errors (and uncoded subgraph errors) with a generic one'),
    maxBodySize: byteSize().prefault('100kb').describe('Largest POST body; larger ones get 413'),
    subgraphGetMaxUrl: z
      .number()
      .int()
      .min(0)
      .default(8192)
      .describe(
        'Subgraph queries go as GET (so identical ones coalesce) while the URL fits this; 0: always POST',
      ),
    maxSubgraphResponseSize: byteSize().prefault('8mb'),
    deduplicateOperations: z
      .boolean()
      .default(true)
      .describe(
        'An identical query (document, operation name, variables) of the same caller while one is in flight waits for its result instead of running again; mutations never',
      ),
    documentCacheSize: count(1000, 'Parsed and validated documents kept per endpoint'),
    maxOperationNames: count(
      200,
      'Distinct operation names in metric labels; later ones are counted as "(other)"',
    ),
  })
  .strict();

export type GraphqlOptions = z.output<typeof graphqlOptions>;
export type Limits = z.output<typeof limits>;
export type EndpointOptions = z.output<typeof endpoint>;

/** One GraphQL route as it is built: the plugin-wide settings with the endpoint's own over them. */
export interface EndpointSettings {
  id: string;
  path: string;
  auth: z.output<typeof AUTH>;
  limits: Limits;
  introspection: boolean;
  graphiql: boolean;
  safelistOnly: boolean;
  plugins: Record<string, unknown>;
}

export function endpointSettings(options: GraphqlOptions): EndpointSettings[] {
  const main: EndpointSettings = {
    id: options.routeId,
    path: options.path,
    auth: options.auth,
    limits: options.limits,
    introspection: options.introspection,
    graphiql: options.graphiql,
    safelistOnly: options.persisted.safelist.everyone,
    plugins: options.plugins,
  };
  const more = options.endpoints.map((own): EndpointSettings => ({
    id: own.id,
    path: own.path,
    auth: own.auth ?? options.auth,
    limits: {
      ...options.limits,
      ...Object.fromEntries(Object.entries(own.limits ?? {}).filter(([, value]) => value !== undefined)),
    },
    introspection: own.introspection ?? options.introspection,
    graphiql: own.graphiql ?? options.graphiql,
    safelistOnly: own.safelistOnly ?? options.persisted.safelist.everyone,
    plugins: own.plugins ?? options.plugins,
  }));
  return [main, ...more];
}
