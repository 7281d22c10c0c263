// The gateway's own Prometheus metrics, in a registry of its own (never prom-client's global one).
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

export interface GatewayMetrics {
  registry: Registry;
  observeRequest(route: string, method: string, status: number, upstream: string, seconds: number): void;
  upstreamError(upstream: string, kind: string): void;
}

export function createGatewayMetrics(): GatewayMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'portico_' });

  const requests = new Counter({
    name: 'portico_http_requests_total',
    help: 'Requests answered by the gateway, by route, method, status class and upstream',
    labelNames: ['route', 'method', 'status_class', 'upstream'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'portico_http_request_duration_seconds',
    help: 'Time from the request arriving to the response being sent',
    labelNames: ['route', 'method', 'upstream'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const upstreamErrors = new Counter({
    name: 'portico_upstream_errors_total',
    help: 'Failed exchanges with an upstream, by kind (refused, reset, connect_timeout, response_timeout, dns, other)',
    labelNames: ['upstream', 'kind'],
    registers: [registry],
  });

  // prom-client hashes label sets on every call; the set of routes is small and fixed, so bind once.
  const boundCounters = new Map<string, ReturnType<typeof requests.labels>>();
  const boundHistograms = new Map<string, ReturnType<typeof duration.labels>>();

  return {
    registry,
    observeRequest(route, method, status, upstream, seconds) {
      const statusClass = `${Math.floor(status / 100)}xx`;
      const counterKey = `${route}\0${method}\0${statusClass}\0${upstream}`;
      let counter = boundCounters.get(counterKey);
      if (!counter)
        boundCounters.set(counterKey, (counter = requests.labels(route, method, statusClass, upstream)));
      counter.inc();
      const histogramKey = `${route}\0${method}\0${upstream}`;
      let histogram = boundHistograms.get(histogramKey);
      if (!histogram)
        boundHistograms.set(histogramKey, (histogram = duration.labels(route, method, upstream)));
      histogram.observe(seconds);
    },
    upstreamError(upstream, kind) {
      upstreamErrors.labels(upstream, kind).inc();
    },
  };
}
