// The SDK reports export failures to its global diagnostics, which log nowhere by default: ops
// would never learn that the collector is unreachable. One warning when exports start failing,
// one line when they work again, so a collector outage is one pair of lines, not one per batch.
import { ExportResultCode } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { Logger } from 'pino';

export function loggedExporter(exporter: SpanExporter, url: string, log: Logger): SpanExporter {
  let failing = false;
  return {
    export(spans: ReadableSpan[], done) {
      exporter.export(spans, (result) => {
        if (result.code === ExportResultCode.FAILED) {
          if (!failing)
            log.warn(
              { event: 'trace_export_failed', url, spans: spans.length, err: result.error?.message },
              'spans could not be exported; further failures are logged at debug until one succeeds',
            );
          else log.debug({ event: 'trace_export_failed', url, spans: spans.length }, 'spans not exported');
          failing = true;
        } else if (failing) {
          failing = false;
          log.info({ event: 'trace_export_recovered', url }, 'spans are exported again');
        }
        done(result);
      });
    },
    shutdown: () => exporter.shutdown(),
    forceFlush: () => exporter.forceFlush?.() ?? Promise.resolve(),
  };
}
