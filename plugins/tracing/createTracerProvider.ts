// One tracer provider per gateway build, never the global one: two gateways in one process (or a
// build and the one replacing it) keep their own sampler, resource and exporters.
import type { Logger } from 'pino';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import { loggedExporter } from './loggedExporter.ts';
import type { ExporterOptions, TracingOptions } from './schema.ts';

type OtlpConfig = NonNullable<ConstructorParameters<typeof OTLPTraceExporter>[0]>;

export function createTracerProvider(
  options: TracingOptions,
  /** `spanProcessors` belong to the caller: the provider's shutdown flushes them, never shuts them down. */
  parts: { version: string; log: Logger; spanProcessors: readonly SpanProcessor[] },
): BasicTracerProvider {
  const spanProcessors = parts.spanProcessors.map(borrowed);
  if (options.exporter) spanProcessors.push(otlpProcessor(options.exporter, parts.log));
  return new BasicTracerProvider({
    resource: defaultResource().merge(
      resourceFromAttributes({
        [ATTR_SERVICE_NAME]: options.serviceName,
        [ATTR_SERVICE_VERSION]: parts.version,
        ...options.resourceAttributes,
      }),
    ),
    // A trusted parent's sampled flag decides for its trace; a new trace is kept at the ratio.
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(options.sampleRatio) }),
    spanProcessors,
  });
}

function otlpProcessor(exporter: ExporterOptions, log: Logger): SpanProcessor {
  const otlp = new OTLPTraceExporter({
    url: exporter.url,
    headers: exporter.headers,
    timeoutMillis: exporter.timeout,
    compression: exporter.compression as OtlpConfig['compression'],
  });
  return new BatchSpanProcessor(loggedExporter(otlp, exporter.url, log), {
    maxQueueSize: exporter.batch.maxQueueSize,
    maxExportBatchSize: exporter.batch.maxExportBatchSize,
    scheduledDelayMillis: exporter.batch.scheduledDelay,
    exportTimeoutMillis: exporter.batch.exportTimeout,
  });
}

function borrowed(processor: SpanProcessor): SpanProcessor {
  return {
    onStart: (span, parent) => processor.onStart(span, parent),
    onEnd: (span) => processor.onEnd(span),
    forceFlush: () => processor.forceFlush(),
    shutdown: () => processor.forceFlush(),
  };
}
