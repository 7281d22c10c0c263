// A service's tracer: its own provider (never the global one, so four services in one process keep
// their own `service.name`), parent-based sampling, and OTLP/HTTP export when configured.
import type { Tracer } from '@opentelemetry/api';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';

export interface ServiceTracingOptions {
  /** `service.name` of the spans, e.g. `programs`. */
  serviceName: string;
  /** The collector's OTLP/HTTP traces endpoint (`http://otel-collector:4318/v1/traces`); none: not exported. */
  otlpUrl?: string;
  /** Share of new traces recorded; the gateway's sampled flag decides for the traces it started. Default 1. */
  sampleRatio?: number;
  /** More span processors (a test's in-memory exporter): the caller's, flushed on stop but not shut down. */
  spanProcessors?: readonly SpanProcessor[];
}

export interface ServiceTracing {
  tracer: Tracer;
  /** Exports what is left; run when the service stops. */
  flush(): Promise<void>;
  /** Flushes and stops the provider (its OTLP exporter included). */
  shutdown(): Promise<void>;
}

export function createServiceTracing(options: ServiceTracingOptions): ServiceTracing {
  const borrowed = options.spanProcessors ?? [];
  const processors: SpanProcessor[] = borrowed.map((processor) => ({
    onStart: (span, parent) => processor.onStart(span, parent),
    onEnd: (span) => processor.onEnd(span),
    forceFlush: () => processor.forceFlush(),
    shutdown: () => processor.forceFlush(),
  }));
  if (options.otlpUrl)
    processors.push(new BatchSpanProcessor(new OTLPTraceExporter({ url: options.otlpUrl })));
  const provider = new BasicTracerProvider({
    resource: defaultResource().merge(resourceFromAttributes({ [ATTR_SERVICE_NAME]: options.serviceName })),
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(options.sampleRatio ?? 1) }),
    spanProcessors: processors,
  });
  return {
    tracer: provider.getTracer('portico-services'),
    flush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
}

/**
 * Tracing from the standard OpenTelemetry variables, off unless an endpoint is set:
 * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT (the full URL) or OTEL_EXPORTER_OTLP_ENDPOINT (+ `/v1/traces`),
 * OTEL_TRACES_SAMPLER_ARG (the ratio, default 1), OTEL_SDK_DISABLED=true (off whatever else is set).
 * Headers for the collector come from OTEL_EXPORTER_OTLP_HEADERS (read by the exporter itself).
 */
export function serviceTracingFromEnv(
  env: NodeJS.ProcessEnv,
  serviceName: string,
): ServiceTracing | undefined {
  if (env.OTEL_SDK_DISABLED === 'true') return undefined;
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT;
  const otlpUrl =
    env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || (base ? `${base.replace(/\/$/, '')}/v1/traces` : '');
  if (!otlpUrl) return undefined;
  const ratio = env.OTEL_TRACES_SAMPLER_ARG;
  const sampleRatio = ratio === undefined || ratio === '' ? 1 : Number(ratio);
  if (!(sampleRatio >= 0 && sampleRatio <= 1))
    throw new Error(`OTEL_TRACES_SAMPLER_ARG: expected a ratio between 0 and 1, got "${ratio}"`);
  return createServiceTracing({ serviceName, otlpUrl, sampleRatio });
}
