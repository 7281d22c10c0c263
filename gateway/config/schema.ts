// The ops config: one schema, the single source of defaults, validation messages and the editor JSON Schema.
import { z } from 'zod';
import { byteSize, duration } from '../../contracts/units.ts';

const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

const listenerSchema = z.object({
  host: z.string().default('0.0.0.0').describe('Address the public listener binds'),
  port: z
    .number()
    .int()
    .min(0)
    .max(65535)
    .default(8080)
    .describe('Port of the public listener; PORT overrides'),
});

const adminSchema = z
  .object({
    host: z.string().default('127.0.0.1').describe('Admin listener address; keep it private'),
    port: z.number().int().min(0).max(65535).default(9901),
    tokenFile: z
      .string()
      .min(1)
      .optional()
      .describe(
        'File holding the admin token state-changing admin routes ask for (relative to the working directory); PORTICO_ADMIN_TOKEN wins over it',
      ),
  })
  .strict();

const drainSchema = z
  .object({
    delay: duration()
      .prefault(0)
      .describe('After SIGTERM, how long /readyz says 503 before the listener closes'),
    timeout: duration().prefault('30s').describe('How long in-flight requests may take to finish'),
  })
  .strict();

const requestIdSchema = z
  .object({
    header: z.string().toLowerCase().default('x-request-id'),
    trustIncoming: z
      .boolean()
      .default(true)
      .describe('Keep a well-formed incoming request id (from a trusted edge) instead of making one'),
  })
  .strict();

const limitsSchema = z
  .object({
    headerTimeout: duration()
      .prefault('10s')
      .describe('Time a client has to send the whole request head; past it: 408 and the connection closes'),
    requestTimeout: duration()
      .prefault('5m')
      .describe('Time a client has to send the whole request, body included (large uploads: raise it)'),
    maxHeaderSize: byteSize()
      .prefault('16kb')
      .describe('Largest request head (request line and headers); above it: 431 from the edge'),
    maxHeaderCount: z
      .number()
      .int()
      .positive()
      .default(100)
      .describe('Most request headers; above it: 431 from the edge'),
    maxConnections: z
      .number()
      .int()
      .min(0)
      .default(10_000)
      .describe(
        'Open client connections per process (per worker with --workers); past it new ones are closed; 0: no limit',
      ),
  })
  .strict();

const serverSchema = z
  .object({
    host: listenerSchema.shape.host,
    port: listenerSchema.shape.port,
    admin: adminSchema.prefault({}),
    drain: drainSchema.prefault({}),
    requestId: requestIdSchema.prefault({}),
    limits: limitsSchema.prefault({}),
    trustedProxies: z
      .number()
      .int()
      .min(0)
      .default(0)
      .describe('How many proxies in front of Portico append to X-Forwarded-For; 0 trusts none'),
    keepAliveTimeout: duration()
      .prefault('5s')
      .describe(
        "How long an idle keep-alive client connection stays open (Node's default); behind a load balancer, above its idle timeout",
      ),
  })
  .strict();

const startupWait = duration()
  .prefault('5s')
  .describe(
    'How long start-up waits for Redis before opening the listener; past it, stores use their failure mode',
  );

const redisSchema = z
  .union([
    z
      .object({ url: z.string().regex(/^rediss?:\/\//, 'expected a redis:// or rediss:// URL'), startupWait })
      .strict(),
    z
      .object({
        cluster: z.object({ nodes: z.array(z.string()).min(1) }).strict(),
        startupWait,
      })
      .strict(),
  ])
  .describe('Shared stores; absent: every store runs in memory (one instance only)');

const versionsSchema = z
  .object({
    store: z
      .enum(['auto', 'redis', 'file'])
      .default('auto')
      .describe(
        'Where the config history lives: redis (shared by every instance), file (one instance); auto: redis when redis is configured, else file',
      ),
    dir: z
      .string()
      .min(1)
      .default('.data/versions')
      .describe('File store: the directory of the history (relative to the working directory)'),
    prefix: z
      .string()
      .min(1)
      .default('{portico:config}')
      .describe(
        'Redis store: prefix of its keys and channel (one slot in a Redis Cluster); deployments sharing a Redis but not a config need their own',
      ),
    poll: duration()
      .prefault('5s')
      .describe('How often the history is read to catch a missed publish (and the instance heartbeat)'),
    watch: z
      .boolean()
      .default(true)
      .describe('Reload when the local config file changes (SIGHUP always does)'),
    instanceId: z
      .string()
      .min(1)
      .optional()
      .describe('This instance in acknowledgements; default host:port of the public listener'),
  })
  .strict();

const upstreamSchema = z
  .object({
    url: z.url({ protocol: /^https?$/ }).describe('Base URL of the service'),
    timeout: duration().prefault('30s').describe('Time to the response headers; past it the client gets 504'),
    connectTimeout: duration()
      .prefault('2s')
      .describe('Time to open a connection; past it the client gets 504'),
    maxSockets: z.number().int().positive().default(512).describe('Keep-alive connections per upstream'),
    maxFreeSockets: z.number().int().positive().default(128),
    health: z
      .union([
        z.literal(false),
        z
          .object({
            path: z.string().startsWith('/').default('/healthz'),
            interval: duration().prefault('5s'),
            unhealthyInterval: duration()
              .prefault('500ms')
              .describe('Probe interval while the upstream is unhealthy, so its return is seen quickly'),
            critical: z
              .boolean()
              .default(false)
              .describe('When true, /readyz answers 503 while this upstream is unhealthy'),
          })
          .strict(),
      ])
      .prefault({})
      .describe('Readiness probe of this upstream; false: count it as ready'),
  })
  .strict();

const routeSchema = z
  .object({
    name: z.string().optional().describe('Name in metrics and logs; defaults to the path'),
    path: z.string().startsWith('/').describe('hapi path pattern, e.g. /api/v1/programs/{rest*}'),
    methods: z.union([z.literal('*'), z.array(z.enum(HTTP_METHODS)).min(1)]).default('*'),
    upstream: z.string().describe('Name of an entry in upstreams'),
    stripPrefix: z.string().startsWith('/').optional().describe('Removed from the path before forwarding'),
    addPrefix: z.string().startsWith('/').optional().describe('Put before the path after stripPrefix'),
    auth: z.enum(['none', 'optional', 'required']).default('none'),
    websocket: z.boolean().default(false).describe('Proxy WebSocket upgrades on this route'),
    maxBodySize: byteSize()
      .prefault('10mb')
      .describe('Largest request body; past it the client gets 413 from the edge, whatever the framing'),
    body: z
      .enum(['auto', 'stream', 'buffer'])
      .default('auto')
      .describe(
        'stream: the body flows to the upstream as it arrives; buffer: read whole first (an oversized body never reaches the upstream); auto: buffer when maxBodySize is 1mb or less',
      ),
    timeout: duration().optional().describe("Overrides the upstream's response timeout"),
    plugins: z
      .record(z.string(), z.unknown())
      .default({})
      .describe('Per-route plugin options by plugin name; false turns a plugin off on this route'),
  })
  .strict();

const pluginEntrySchema = z
  .object({
    name: z.string().optional().describe('A built-in plugin'),
    module: z.string().optional().describe('Path of a user plugin module (relative to the config file)'),
    enabled: z.boolean().default(true),
    options: z.record(z.string(), z.unknown()).default({}),
  })
  .strict()
  .refine((entry) => (entry.name === undefined) !== (entry.module === undefined), {
    message: 'expected exactly one of name or module',
  });

export const configSchema = z
  .object({
    server: serverSchema.prefault({}),
    redis: redisSchema.optional(),
    upstreams: z
      .record(z.string().regex(/^[a-z][a-z0-9-]*$/, 'expected a lower-case name'), upstreamSchema)
      .default({}),
    routes: z.array(routeSchema).default([]),
    plugins: z.array(pluginEntrySchema).default([]),
    versions: versionsSchema
      .prefault({})
      .describe('The config history, reloads and propagation (instance-local: never taken from a version)'),
  })
  .strict();

export type PorticoConfigInput = z.input<typeof configSchema>;
export type PorticoConfig = z.output<typeof configSchema>;
export type UpstreamConfig = PorticoConfig['upstreams'][string];
export type RouteConfig = PorticoConfig['routes'][number];
export type PluginEntry = PorticoConfig['plugins'][number];
export type VersionsConfig = PorticoConfig['versions'];
