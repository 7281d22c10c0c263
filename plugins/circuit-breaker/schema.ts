import { z } from 'zod';
import { duration } from '../../contracts/units.ts';
import {
  settingsForUpstream,
  upstreamOverrideSchema,
  upstreamOverridesSchema,
} from '../../contracts/upstreamOverrides.ts';

// Each field once, without its default: the plugin-wide settings default them, an upstream's
// override leaves them unset (so it inherits the plugin-wide value).
const fields = {
  errorThresholdPercentage: () =>
    z.number().min(1).max(100).describe('Share of failed calls in the rolling window that opens the circuit'),
  volumeThreshold: () =>
    z.number().int().min(1).describe('Calls the rolling window must hold before the circuit may open at all'),
  resetTimeout: () =>
    duration().describe('How long the circuit stays open before a half-open probe is let through'),
  timeout: () =>
    z
      .union([z.literal(false), duration()])
      .describe(
        "Time to the response headers that counts as a failure; false leaves it to the upstream's own timeout",
      ),
  rollingWindow: () => duration().describe('Length of the window the error share is measured over'),
  rollingBuckets: () => z.number().int().min(1).max(100).describe('Buckets the rolling window is split into'),
};

const upstreamOverride = upstreamOverrideSchema(fields);

export const circuitBreakerOptions = z
  .object({
    errorThresholdPercentage: fields.errorThresholdPercentage().default(50),
    volumeThreshold: fields.volumeThreshold().default(20),
    resetTimeout: fields.resetTimeout().prefault('30s'),
    timeout: fields.timeout().default(false),
    rollingWindow: fields.rollingWindow().prefault('10s'),
    rollingBuckets: fields.rollingBuckets().default(10),
    upstreams: upstreamOverridesSchema(upstreamOverride, 'no breaker for that upstream'),
  })
  .strict();

export type CircuitBreakerOptions = z.output<typeof circuitBreakerOptions>;
export type BreakerSettings = Omit<CircuitBreakerOptions, 'upstreams'>;

/** The settings of one upstream's breaker: its override over the plugin-wide values, or false. */
export function settingsFor(options: CircuitBreakerOptions, upstream: string): BreakerSettings | false {
  const { upstreams, ...defaults } = options;
  return settingsForUpstream<BreakerSettings>(
    defaults,
    upstreams as Record<string, false | Partial<BreakerSettings>>,
    upstream,
  );
}
