// The Portico configurations the benchmark measures, by name. Each is a whole config object.
import type { PorticoConfigInput } from '../../gateway/config/schema.ts';

export interface VariantInputs {
  upstreamUrl: string;
  redisUrl?: string;
}

const DEFAULT_CHAIN = [
  { name: 'access-log' },
  { name: 'security-headers' },
  { name: 'cors', options: { origins: ['http://localhost:5173'] } },
];

export const PORTICO_VARIANTS: Record<
  string,
  { describe: string; config(inputs: VariantInputs): PorticoConfigInput }
> = {
  'portico-bare': {
    describe: 'Portico, no plugins',
    config: ({ upstreamUrl }) => base(upstreamUrl, []),
  },
  'portico-default': {
    describe: 'Portico, default chain (access-log, security-headers, cors)',
    config: ({ upstreamUrl }) => base(upstreamUrl, DEFAULT_CHAIN),
  },
};

export function porticoVariantConfig(name: string, inputs: VariantInputs): PorticoConfigInput {
  const variant = PORTICO_VARIANTS[name];
  if (!variant) throw new Error(`unknown benchmark variant ${name}`);
  return variant.config(inputs);
}

function base(upstreamUrl: string, plugins: PorticoConfigInput['plugins']): PorticoConfigInput {
  return {
    server: { host: '127.0.0.1', port: 0, admin: { port: 0 } },
    upstreams: { bench: { url: upstreamUrl, health: false } },
    plugins,
    routes: [{ name: 'bench', path: '/{p*}', upstream: 'bench' }],
  };
}
