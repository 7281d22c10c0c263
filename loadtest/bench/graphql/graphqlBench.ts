// The GraphQL rows, for `npm run bench:graphql` and `npm run bench`: Portico's /graphql and
// @graphql-hive/gateway in front of the same in-memory subgraphs (subgraphs.ts, on the load
// generator's core), for a one-service query and a three-service nested one, at a fixed
// concurrency. Each row: req/s, CPU µs per request, p50/p99, and subgraph calls per operation
// (under the load, and for one operation alone).
//
// Fair by construction (say so when you change either side):
// - Same stitching: both run @graphql-tools/stitch over the contracts' SDLs with the same merge
//   config (mergeConfigOf: batch delegation through the `<x>ByIds` lookups) and `batch: true` on
//   every subschema, so one level of 50 keys is one lookup and the lookups to one subgraph in one
//   tick leave as one HTTP request. Hive takes the stitched schema as its unified-graph handler and
//   sends through its own http transport (@graphql-tools/executor-http, POST).
// - Same subgraph-level de-duplication: Hive's executor-http merges identical subgraph requests in
//   flight (`deduplicateInflightRequests`, its default); Portico's target loads the `dedup` plugin,
//   whose coalescing merges identical subgraph GETs.
// - Operation-level de-duplication in pairs: `portico-graphql` (its default, identical operations
//   of one caller in flight run once) against `hive-gateway` with `inboundInflightRequestDeduplication`
//   on; `portico-graphql-each` (deduplicateOperations: false) against `hive-gateway-each` (Hive's
//   default, off). ×hive compares each Portico row with the Hive row of its pair.
// - NODE_ENV=production for both (graphql-js skips its cross-realm instanceof checks then).
import { measure, type Measurement } from '../measure.ts';
import { startTarget, type Started } from '../processes.ts';

export const GRAPHQL_QUERIES = {
  simple: '{ programs(limit: 5) { items { id title } } }',
  nested:
    '{ appointments(limit: 50) { items { startsAt program { title } staff { name } student { name } } } }',
} as const;
type QueryName = keyof typeof GRAPHQL_QUERIES;
/** The fixed concurrency of the rows (`npm run bench` uses it too, whatever its own). */
export const GRAPHQL_CONNECTIONS = 32;

interface GraphqlTarget {
  name: string;
  describe: string;
  script: string;
  operationDedup: boolean;
  /** The Hive row a Portico row is compared with. */
  versus?: string;
}

export const GRAPHQL_TARGETS: readonly GraphqlTarget[] = [
  {
    name: 'portico-graphql',
    describe:
      "Portico's /graphql: graphql + dedup plugins, defaults (identical operations in flight run once)",
    script: './graphql/porticoGraphql.ts',
    operationDedup: true,
    versus: 'hive-gateway',
  },
  {
    name: 'hive-gateway',
    describe: '@graphql-hive/gateway, same stitching, inboundInflightRequestDeduplication on',
    script: './graphql/hiveGateway.ts',
    operationDedup: true,
  },
  {
    name: 'portico-graphql-each',
    describe: 'Portico with deduplicateOperations: false (every operation runs; subgraph coalescing only)',
    script: './graphql/porticoGraphql.ts',
    operationDedup: false,
    versus: 'hive-gateway-each',
  },
  {
    name: 'hive-gateway-each',
    describe: '@graphql-hive/gateway defaults (inbound de-duplication off; subgraph de-duplication on)',
    script: './graphql/hiveGateway.ts',
    operationDedup: false,
  },
];

export interface GraphqlBenchSettings {
  durationSeconds: number;
  warmupSeconds: number;
  connections: number;
  sutCore: number;
  loadgenCore: number;
  /** Target names to run (default: all). */
  only?: readonly string[];
}

export interface GraphqlRow {
  target: string;
  query: QueryName;
  measurement: Measurement;
  subgraphCallsPerOperation: number;
  /** Calls one operation makes on its own (a single request, no overlap with others). */
  subgraphCallsAlone: number;
}

export interface GraphqlBenchResult {
  connections: number;
  rows: GraphqlRow[];
  absent: Array<{ target: string; reason: string }>;
}

const HEADERS = { 'x-graphql-csrf': '1', accept: 'application/json' };
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function graphqlBench(settings: GraphqlBenchSettings): Promise<GraphqlBenchResult> {
  const subgraphs = await startTarget('./graphql/subgraphs.ts', {}, settings.loadgenCore);
  const control = `http://127.0.0.1:${subgraphs.port}`;
  const ports = await (await fetch(`${control}/ports`)).json();
  const totalCalls = async () =>
    Object.values((await (await fetch(`${control}/calls`)).json()) as Record<string, number>).reduce(
      (a, b) => a + b,
      0,
    );
  const reset = () => fetch(`${control}/reset`, { method: 'POST' });
  const result: GraphqlBenchResult = { connections: settings.connections, rows: [], absent: [] };
  const targets = GRAPHQL_TARGETS.filter((target) => !settings.only || settings.only.includes(target.name));
  try {
    for (const target of targets) {
      let started: Started;
      try {
        started = await startTarget(
          target.script,
          {
            BENCH_SUBGRAPHS: JSON.stringify(ports),
            BENCH_OPERATION_DEDUP: target.operationDedup ? '1' : '0',
            NODE_ENV: 'production',
          },
          settings.sutCore,
        );
      } catch (error) {
        result.absent.push({ target: target.name, reason: (error as Error).message });
        console.log(`  absent ${target.name}: ${(error as Error).message}`);
        continue;
      }
      try {
        for (const [query, text] of Object.entries(GRAPHQL_QUERIES) as Array<[QueryName, string]>) {
          const url = `http://127.0.0.1:${started.port}/graphql?query=${encodeURIComponent(text)}`;
          // Let whatever the previous measurement left in flight finish, so no call is counted twice.
          await pause(2000);
          // One probe first: the answer must be whole, and it shows the calls of one operation alone.
          await reset();
          const probe = (await (await fetch(url, { headers: HEADERS })).json()) as {
            errors?: unknown;
            data?: unknown;
          };
          if (probe.errors || !probe.data)
            throw new Error(`${target.name} ${query}: ${JSON.stringify(probe).slice(0, 500)}`);
          const alone = await totalCalls();
          const shape = { url, connections: settings.connections, headers: HEADERS };
          await measure({ ...shape, durationSeconds: settings.warmupSeconds }, started);
          await pause(2000);
          await reset();
          const measurement = await measure({ ...shape, durationSeconds: settings.durationSeconds }, started);
          const answered = measurement.requestsPerSecond * settings.durationSeconds;
          result.rows.push({
            target: target.name,
            query,
            measurement,
            subgraphCallsAlone: alone,
            subgraphCallsPerOperation: answered > 0 ? (await totalCalls()) / answered : 0,
          });
          console.log(
            `  measured ${target.name} ${query}: ${Math.round(measurement.requestsPerSecond)} req/s`,
          );
        }
      } finally {
        await started.stop();
      }
    }
  } finally {
    await subgraphs.stop();
  }
  return result;
}

export function printGraphqlBench(result: GraphqlBenchResult): void {
  const header = [
    'target',
    'query',
    'req/s',
    '×hive',
    'CPU µs/req',
    'p50 ms',
    'p99 ms',
    'calls/op',
    'calls alone',
    'errors',
  ];
  const lines = result.rows.map((row) => {
    const versus = GRAPHQL_TARGETS.find((target) => target.name === row.target)?.versus;
    const hive = result.rows.find((other) => other.target === versus && other.query === row.query);
    return [
      row.target,
      row.query,
      row.measurement.requestsPerSecond.toFixed(0),
      hive ? (row.measurement.requestsPerSecond / hive.measurement.requestsPerSecond).toFixed(2) : '-',
      row.measurement.cpuMicrosPerRequest.toFixed(0),
      row.measurement.latencyMs.p50.toFixed(2),
      row.measurement.latencyMs.p99.toFixed(2),
      row.subgraphCallsPerOperation.toFixed(2),
      String(row.subgraphCallsAlone),
      String(row.measurement.errors + row.measurement.non2xx),
    ];
  });
  const widths = header.map((title, column) =>
    Math.max(title.length, ...lines.map((line) => line[column]!.length)),
  );
  const print = (cells: string[]) =>
    console.log(cells.map((cell, column) => cell.padStart(widths[column]!)).join('  '));
  console.log(`\ngraphql (${result.connections} connections; ×hive: against the Hive row of the same pair):`);
  print(header);
  for (const line of lines) print(line);
  for (const { target, reason } of result.absent)
    console.log(`${target.padStart(widths[0]!)}  absent: ${reason}`);
  const ran = new Set([...result.rows.map((row) => row.target), ...result.absent.map((row) => row.target)]);
  for (const target of GRAPHQL_TARGETS.filter((candidate) => ran.has(candidate.name)))
    console.log(`  ${target.name}: ${target.describe}`);
}
