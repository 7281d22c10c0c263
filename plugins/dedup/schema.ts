import { z } from 'zod';
import { byteSize, duration } from '../../contracts/units.ts';

const BODY_METHODS = ['POST', 'PATCH', 'PUT', 'DELETE'] as const;

const idempotency = z
  .object({
    enabled: z.boolean().default(true),
    methods: z
      .array(z.enum(BODY_METHODS))
      .min(1)
      .default(['POST', 'PATCH'])
      .describe('Methods whose Idempotency-Key is honoured'),
    header: z.string().toLowerCase().default('idempotency-key'),
    required: z
      .boolean()
      .default(false)
      .describe('Answer 400 to a request of these methods without the header'),
    ttl: duration().prefault('24h').describe('How long a first response is kept and replayed'),
    maxBodySize: byteSize()
      .prefault('1mb')
      .describe('Largest request body fingerprinted (it is buffered); larger ones get 413'),
    maxResponseSize: byteSize()
      .prefault('1mb')
      .describe('Largest response kept; a larger one is passed on once and its duplicates get 409'),
    onInFlight: z
      .enum(['wait', 'reject'])
      .default('wait')
      .describe('A duplicate of a request still in flight waits for its result, or gets 409 at once'),
    waitTimeout: duration().prefault('30s').describe('Longest wait for the first request; then 409'),
    lockTtl: duration()
      .prefault('2m')
      .describe(
        'Expiry of the in-flight mark, so a crashed instance frees the key; must exceed the slowest exchange',
      ),
    pollInterval: duration()
      .prefault('100ms')
      .describe('How often an instance polls Redis for a result another instance is producing'),
  })
  .strict();

const coalesce = z
  .object({
    enabled: z.boolean().default(true),
    varyHeaders: z
      .array(z.string().toLowerCase())
      .default(['accept', 'accept-encoding', 'accept-language'])
      .describe(
        'Request headers that vary the answer, besides the identity and conditional headers always used',
      ),
    maxResponseSize: byteSize()
      .prefault('1mb')
      .describe('Largest answer shared; past it, waiting requests go to the upstream themselves'),
  })
  .strict();

export const dedupOptions = z
  .object({
    idempotency: idempotency.prefault({}),
    coalesce: coalesce.prefault({}),
    store: z
      .enum(['auto', 'memory', 'redis'])
      .default('auto')
      .describe('Where idempotency records live; auto: Redis when the gateway has one, else memory'),
    onStoreFailure: z
      .enum(['reject', 'pass-through'])
      .default('reject')
      .describe(
        'When the store fails: 503 (the client retries later, never a duplicate effect), or forward without de-duplication',
      ),
    storeTimeout: duration()
      .prefault('1s')
      .describe('A store call slower than this counts as a store failure'),
    memoryMaxSize: byteSize()
      .prefault('64mb')
      .describe('Memory store: bytes of kept responses before the least recent go'),
    keyPrefix: z.string().default('portico:dedup:').describe('Redis key prefix'),
  })
  .strict();

export const dedupRouteOptions = z
  .object({
    idempotency: z
      .union([
        z.literal(false),
        z
          .object({
            methods: idempotency.shape.methods.optional(),
            required: idempotency.shape.required.optional(),
            ttl: idempotency.shape.ttl.optional(),
            onInFlight: idempotency.shape.onInFlight.optional(),
          })
          .strict(),
      ])
      .optional(),
    coalesce: z
      .union([z.literal(false), z.object({ varyHeaders: coalesce.shape.varyHeaders.optional() }).strict()])
      .optional(),
  })
  .strict();

export type DedupOptions = z.output<typeof dedupOptions>;
export type DedupRouteOptions = z.output<typeof dedupRouteOptions>;
export type IdempotencySettings = DedupOptions['idempotency'];
export type CoalesceSettings = DedupOptions['coalesce'];

/**
 * A route's effective settings: its options over the plugin-wide ones; undefined where a part is
 * off. A route that gives a part options turns it on even where the plugin-wide `enabled` is false.
 */
export function routeSettings(
  options: DedupOptions,
  route: DedupRouteOptions | undefined,
): { idempotency?: IdempotencySettings; coalesce?: CoalesceSettings } {
  const result: { idempotency?: IdempotencySettings; coalesce?: CoalesceSettings } = {};
  if (route?.idempotency ? true : options.idempotency.enabled && route?.idempotency !== false) {
    const own = route?.idempotency || {};
    result.idempotency = {
      ...options.idempotency,
      methods: own.methods ?? options.idempotency.methods,
      required: own.required ?? options.idempotency.required,
      ttl: own.ttl ?? options.idempotency.ttl,
      onInFlight: own.onInFlight ?? options.idempotency.onInFlight,
    };
  }
  if (route?.coalesce ? true : options.coalesce.enabled && route?.coalesce !== false) {
    result.coalesce = {
      ...options.coalesce,
      varyHeaders: (route?.coalesce || {}).varyHeaders ?? options.coalesce.varyHeaders,
    };
  }
  return result;
}
