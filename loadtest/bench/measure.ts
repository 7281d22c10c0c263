// One measurement with autocannon. Its own histogram has millisecond resolution, so every
// response time (which autocannon takes with hrtime) also goes into a microsecond HDR histogram.
import autocannon from 'autocannon';
import * as hdr from 'hdr-histogram-js';

export interface Measurement {
  requestsPerSecond: number;
  latencyMs: { p50: number; p99: number; p999: number; max: number };
  errors: number;
  non2xx: number;
  peakRssBytes: number;
  /** CPU time the system under test spent per answered request, in microseconds. */
  cpuMicrosPerRequest: number;
}

export interface LoadShape {
  url: string;
  durationSeconds: number;
  connections: number;
  /** Fixed arrival rate across all connections (open-loop-like); absent: as fast as possible. */
  overallRate?: number;
  headers?: Record<string, string>;
  /** GET when absent. */
  method?: 'GET' | 'POST';
  body?: string;
}

export interface Probe {
  rss(): number;
  cpuSeconds(): number;
}

export async function measure(shape: LoadShape, probe: Probe): Promise<Measurement> {
  const sampleRss = () => probe.rss();
  const cpuBefore = probe.cpuSeconds();
  const histogram = hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 60_000_000,
    numberOfSignificantValueDigits: 3,
  });
  let peakRssBytes = 0;
  const sampler = setInterval(() => (peakRssBytes = Math.max(peakRssBytes, sampleRss())), 250);
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: shape.url,
        connections: shape.connections,
        duration: shape.durationSeconds,
        overallRate: shape.overallRate,
        headers: shape.headers,
        ...(shape.method && { method: shape.method }),
        ...(shape.body !== undefined && { body: shape.body }),
        pipelining: 1,
      },
      (error, finished) => (error ? reject(error) : resolve(finished)),
    );
    instance.on('response', (_client, _status, _bytes, responseTimeMs) => {
      histogram.recordValue(Math.max(1, Math.round(responseTimeMs * 1000)));
    });
  });
  clearInterval(sampler);
  peakRssBytes = Math.max(peakRssBytes, sampleRss());
  const cpuUsed = probe.cpuSeconds() - cpuBefore;
  const answered = result.requests.total;
  const ms = (percentile: number) => histogram.getValueAtPercentile(percentile) / 1000;
  const measurement: Measurement = {
    requestsPerSecond: result.requests.average,
    latencyMs: { p50: ms(50), p99: ms(99), p999: ms(99.9), max: histogram.maxValue / 1000 },
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    peakRssBytes,
    cpuMicrosPerRequest: answered > 0 ? (cpuUsed * 1e6) / answered : 0,
  };
  histogram.destroy();
  return measurement;
}
