import { z } from 'zod';
import { duration } from '../../contracts/units.ts';

const batch = z
  .object({
    maxQueueSize: z
      .number()
      .int()
      .min(1)
      .default(2048)
      .describe('Ended spans waiting for export; past it new spans are dropped (memory stays bounded)'),
    maxExportBatchSize: z.number().int().min(1).default(512).describe('Spans in one export request'),
    scheduledDelay: duration().prefault('5s').describe('Pause between two exports'),
    exportTimeout: duration().prefault('30s').describe('How long one export may take before it is given up'),
  })
  .strict()
  .refine((value) => value.maxExportBatchSize <= value.maxQueueSize, {
    message: 'maxExportBatchSize must not exceed maxQueueSize',
    path: ['maxExportBatchSize'],
  });

const exporter = z
  .object({
    url: z
      .url({ protocol: /^https?$/ })
      .describe('The collector’s OTLP/HTTP traces endpoint, e.g. http://otel-collector:4318/v1/traces'),
    headers: z
      .record(z.string(), z.string())
      .default({})
      .describe('Sent with every export; put secrets in OTEL_EXPORTER_OTLP_HEADERS instead'),
    timeout: duration().prefault('10s').describe('Time allowed for one export request'),
    compression: z.enum(['none', 'gzip']).default('none'),
    batch: batch.prefault({}),
  })
  .strict();

export const tracingOptions = z
  .object({
    serviceName: z
      .string()
      .min(1)
      .default('portico-gateway')
      .describe('`service.name` of the gateway’s spans'),
    resourceAttributes: z
      .record(z.string(), z.string())
      .default({})
      .describe('More resource attributes (deployment.environment.name, service.instance.id, ...)'),
    trustIncoming: z
      .boolean()
      .default(false)
      .describe(
        'Continue a client’s W3C traceparent; false (an edge’s default): start a new trace and link the client’s',
      ),
    sampleRatio: z
      .number()
      .min(0)
      .max(1)
      .default(1)
      .describe('Share of new traces recorded; a trusted parent’s sampled flag decides for its trace'),
    exporter: z
      .union([z.literal(false), exporter])
      .default(false)
      .describe('OTLP/HTTP export of the spans; false: spans are made and propagated but not exported'),
  })
  .strict();

export const tracingRouteOptions = z
  .object({})
  .strict()
  .describe('false: no spans and no trace context for that route (its upstream starts its own trace)');

export type TracingOptions = z.output<typeof tracingOptions>;
export type ExporterOptions = Exclude<TracingOptions['exporter'], false>;
