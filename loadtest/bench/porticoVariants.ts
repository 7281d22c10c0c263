// The Portico configurations the benchmark measures, by name. Each is a whole config object.
import { fileURLToPath } from 'node:url';
import type { PorticoConfigInput } from '../../gateway/config/schema.ts';

export interface VariantInputs {
  upstreamUrl: string;
  /** The bench's token issuer (ES256); rows with auth send a token it signed. */
  issuer?: string;
  jwksUri?: string;
  redisUrl?: string;
}

export interface PorticoVariant {
  describe: string;
  /** Send the bench issuer's bearer token. */
  auth?: boolean;
  /** Needs a redis-server (the row is marked absent without one). */
  redis?: boolean;
  config(inputs: VariantInputs): PorticoConfigInput;
  /** What each request is; absent: GET /api/v1/programs/42. */
  request?:
    | { method: 'POST'; path: string; body: string; headers: Record<string, string> }
    | { method: 'GET'; path: string };
}

// One valid booking, sent by the two POST rows: with and without the contract checked at the edge.
const BOOKING = {
  method: 'POST' as const,
  path: '/api/v1/appointments',
  body: JSON.stringify({
    serviceType: 'counseling',
    startsAt: '2026-12-10T10:00:00Z',
    notes: 'First visit.',
  }),
  headers: { 'content-type': 'application/json' },
};

const postRoute = (upstreamUrl: string, plugins: PorticoConfigInput['plugins']): PorticoConfigInput => ({
  ...base(upstreamUrl, plugins),
  routes: [{ name: 'bench-post', path: '/api/v1/{p*}', upstream: 'bench', stripPrefix: '/api/v1' }],
});

const DEFAULT_CHAIN = [
  { name: 'access-log' },
  { name: 'security-headers' },
  { name: 'cors', options: { origins: ['http://localhost:5173'] } },
];

// Every request is counted but none refused: the rows measure what counting costs.
const COUNT_EVERYTHING = [
  { by: 'user', points: 1_000_000_000, per: '1m' },
  { by: 'ip', points: 1_000_000_000, per: '1m' },
];

const authJwt = ({ issuer, jwksUri }: VariantInputs, cache?: { max: number }) => ({
  name: 'auth-jwt',
  options: { issuers: [{ issuer, audiences: ['portico'], jwksUri }], ...(cache && { cache }) },
});

const fullChain = (inputs: VariantInputs, store: 'memory' | 'redis') => [
  ...DEFAULT_CHAIN,
  authJwt(inputs),
  { name: 'rate-limit', options: { store, policies: COUNT_EVERYTHING } },
  // Identical concurrent GETs from one token would be merged into one upstream call, flattering the row.
  { name: 'dedup', options: { coalesce: { enabled: false } } },
  { name: 'circuit-breaker' },
];

export const PORTICO_VARIANTS: Record<string, PorticoVariant> = {
  'portico-bare': {
    describe: 'Portico, no plugins',
    config: ({ upstreamUrl }) => base(upstreamUrl, []),
  },
  'portico-default': {
    describe: 'Portico, default chain (access-log, security-headers, cors)',
    config: ({ upstreamUrl }) => base(upstreamUrl, DEFAULT_CHAIN),
  },
  'portico-auth-warm': {
    describe: 'default chain + auth-jwt (ES256), verified-token cache warm',
    auth: true,
    config: (inputs) => base(inputs.upstreamUrl, [...DEFAULT_CHAIN, authJwt(inputs)], 'required'),
  },
  'portico-auth-nocache': {
    describe: 'default chain + auth-jwt (ES256), cache off: every request verified',
    auth: true,
    config: (inputs) => base(inputs.upstreamUrl, [...DEFAULT_CHAIN, authJwt(inputs, { max: 0 })], 'required'),
  },
  'portico-full-memory': {
    describe: 'full chain: default + auth + rate limit (memory) + dedup + breaker',
    auth: true,
    config: (inputs) => base(inputs.upstreamUrl, fullChain(inputs, 'memory'), 'required'),
  },
  'portico-full-redis': {
    describe: 'full chain with rate limits on Redis',
    auth: true,
    redis: true,
    config: (inputs) => ({
      ...base(inputs.upstreamUrl, fullChain(inputs, 'redis'), 'required'),
      redis: { url: inputs.redisUrl! },
    }),
  },
  'portico-handler': {
    describe: 'default chain, a handler route calling the upstream through the upstream client (undici)',
    request: { method: 'GET', path: '/handler/api/v1/programs/42' },
    config: ({ upstreamUrl }) => ({
      ...base(upstreamUrl, [
        ...DEFAULT_CHAIN,
        { module: fileURLToPath(new URL('./targets/handlerRoutePlugin.ts', import.meta.url)) },
      ]),
      routes: [],
    }),
  },
  'portico-post': {
    describe: 'default chain, POST /api/v1/appointments (a JSON body streamed through)',
    request: BOOKING,
    config: ({ upstreamUrl }) => postRoute(upstreamUrl, DEFAULT_CHAIN),
  },
  'portico-post-validated': {
    describe:
      'the same POST with the public contract checked at the edge (openapi: body read, validated, replayed)',
    request: BOOKING,
    config: ({ upstreamUrl }) =>
      postRoute(upstreamUrl, [...DEFAULT_CHAIN, { name: 'openapi', options: { docs: false } }]),
  },
};

export function porticoVariantConfig(name: string, inputs: VariantInputs): PorticoConfigInput {
  const variant = PORTICO_VARIANTS[name];
  if (!variant) throw new Error(`unknown benchmark variant ${name}`);
  return variant.config(inputs);
}

function base(
  upstreamUrl: string,
  plugins: PorticoConfigInput['plugins'],
  auth: 'none' | 'required' = 'none',
): PorticoConfigInput {
  return {
    server: { host: '127.0.0.1', port: 0, admin: { port: 0 } },
    upstreams: { bench: { url: upstreamUrl, health: false } },
    plugins,
    routes: [{ name: 'bench', path: '/{p*}', upstream: 'bench', auth }],
  };
}
