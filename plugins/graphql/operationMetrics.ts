// Per-operation metrics on /metrics (portico_graphql_*). Operation names are client-chosen, so
// labels take at most `maxNames` distinct ones per gateway; later names count as "(other)".
import type { Registry } from 'prom-client';
import { pluginMetrics } from '../../contracts/pluginMetrics.ts';
import type { SubgraphOutcome } from './operationContext.ts';

export interface OperationObservation {
  route: string;
  name: string | undefined;
  type: string;
  outcome: 'ok' | 'errors' | 'refused';
  seconds: number;
  subgraphCalls: number;
  errorCodes: readonly string[];
}

export function createOperationMetrics(registry: Registry, maxNames: number) {
  const metrics = pluginMetrics(registry, 'graphql');
  const operations = metrics.counter(
    'operations_total',
    'GraphQL operations, by route, name, type and outcome',
    ['route', 'operation', 'type', 'outcome'],
  );
  const duration = metrics.histogram(
    'operation_duration_seconds',
    'Time from parsed request to result, by route, operation name and type',
    ['route', 'operation', 'type'],
    [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  );
  const errors = metrics.counter(
    'operation_errors_total',
    'Errors in GraphQL answers, by operation and code',
    ['route', 'operation', 'code'],
  );
  const subgraphCalls = metrics.histogram(
    'subgraph_calls_per_operation',
    'Subgraph calls one operation made',
    ['route', 'operation'],
    [0, 1, 2, 3, 4, 6, 8, 12, 16, 32],
  );
  const subgraphRequests = metrics.counter(
    'subgraph_requests_total',
    'Calls to subgraphs, by subgraph and outcome',
    ['subgraph', 'outcome'],
  );
  const shared = metrics.counter(
    'deduplicated_operations_total',
    'Queries that waited on an identical one of the same caller in flight and got its result, by route',
    ['route'],
  );
  const names = new Set<string>();
  const label = (name: string | undefined): string => {
    if (!name) return '(anonymous)';
    if (names.has(name)) return name;
    if (names.size >= maxNames) return '(other)';
    names.add(name);
    return name;
  };
  return {
    observe(observation: OperationObservation): void {
      const operation = label(observation.name);
      const { route, type } = observation;
      operations.inc({ route, operation, type, outcome: observation.outcome });
      duration.observe({ route, operation, type }, observation.seconds);
      if (observation.outcome !== 'refused')
        subgraphCalls.observe({ route, operation }, observation.subgraphCalls);
      for (const code of observation.errorCodes) errors.inc({ route, operation, code });
    },
    subgraphCall(subgraph: string, outcome: SubgraphOutcome): void {
      subgraphRequests.inc({ subgraph, outcome });
    },
    /** Counted when the operation joins the one in flight, before either has an answer. */
    deduplicated(route: string): void {
      shared.inc({ route });
    },
  };
}

export type OperationMetrics = ReturnType<typeof createOperationMetrics>;
