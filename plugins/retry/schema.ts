import { z } from 'zod';
import { byteSize, duration } from '../../contracts/units.ts';
import {
  settingsForUpstream,
  upstreamOverrideSchema,
  upstreamOverridesSchema,
} from '../../contracts/upstreamOverrides.ts';

const METHODS = ['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'POST', 'PATCH'] as const;

const backoff = z
  .object({
    base: duration().prefault('25ms').describe('Cap of the first retry delay; it doubles with every retry'),
    max: duration().prefault('1s').describe('Largest cap of a retry delay'),
  })
  .strict()
  .refine((value) => value.base <= value.max, { message: 'base must not exceed max', path: ['base'] });

const budget = z
  .object({
    ratio: z
      .number()
      .min(0)
      .max(1)
      .default(0.2)
      .describe('Retries allowed as a share of requests in the window'),
    window: duration().prefault('10s').describe('Sliding window the ratio is measured over'),
    minRetries: z
      .number()
      .int()
      .min(0)
      .default(10)
      .describe('Retries allowed per window whatever the ratio, so a quiet upstream can still be retried'),
  })
  .strict();

// Each field once, without its default: plugin-wide values default them, an upstream's override
// leaves them unset so it inherits.
const fields = {
  maxAttempts: () =>
    z.number().int().min(1).max(10).describe('Attempts in all, the first included; 1 turns retries off'),
  statuses: () =>
    z.array(z.number().int().min(500).max(599)).describe('Upstream answers that are retried (drained first)'),
  errorCodes: () =>
    z
      .array(z.string())
      .describe('Exchange errors that are retried: the upstream was not reached, or reset the connection'),
  backoff: () => backoff,
  budget: () => budget,
};

const upstreamOverride = upstreamOverrideSchema(fields);

export const retryOptions = z
  .object({
    maxAttempts: fields.maxAttempts().default(3),
    statuses: fields.statuses().default([502, 503, 504]),
    errorCodes: fields
      .errorCodes()
      .default([
        'ECONNREFUSED',
        'ECONNRESET',
        'EPIPE',
        'PORTICO_CONNECT_TIMEOUT',
        'EHOSTUNREACH',
        'ENETUNREACH',
        'EAI_AGAIN',
      ]),
    backoff: fields.backoff().prefault({}),
    budget: fields.budget().prefault({}),
    methods: z
      .array(z.enum(METHODS))
      .default(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE'])
      .describe('Idempotent methods, always retried'),
    idempotencyKeyHeader: z
      .union([z.string().toLowerCase(), z.literal(false)])
      .default('idempotency-key')
      .describe('Other methods (POST, PATCH) are retried only when they carry this header; false: never'),
    maxBodySize: byteSize()
      .prefault('64kb')
      .describe(
        'A request body is buffered up to this size to be replayed; larger (or unsized) bodies are sent once',
      ),
    upstreams: upstreamOverridesSchema(upstreamOverride, 'no retries to that upstream'),
  })
  .strict();

export const retryRouteOptions = z
  .object({ maxAttempts: fields.maxAttempts().optional() })
  .strict()
  .describe('A route may lower (or raise) the number of attempts; false turns retries off on it');

export type RetryOptions = z.output<typeof retryOptions>;
export type RetryRouteOptions = z.output<typeof retryRouteOptions>;
export type UpstreamRetrySettings = Pick<
  RetryOptions,
  'maxAttempts' | 'statuses' | 'errorCodes' | 'backoff' | 'budget'
>;

/** One upstream's settings: its override over the plugin-wide values, or false. */
export function settingsFor(options: RetryOptions, upstream: string): UpstreamRetrySettings | false {
  const { maxAttempts, statuses, errorCodes, backoff, budget, upstreams } = options;
  return settingsForUpstream<UpstreamRetrySettings>(
    { maxAttempts, statuses, errorCodes, backoff, budget },
    upstreams as Record<string, false | Partial<UpstreamRetrySettings>>,
    upstream,
  );
}
