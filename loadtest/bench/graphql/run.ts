// `npm run bench:graphql` (node gateway/bin/run-ts.js loadtest/bench/graphql/run.ts): Portico's
// /graphql and @graphql-hive/gateway stitching the same in-memory subgraphs, for a one-service
// query and a three-service nested one, at a fixed concurrency. Prints req/s, CPU µs per request,
// p99 and subgraph calls per operation; writes JSON under loadtest/results/.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { measure, type Measurement } from '../measure.ts';
import { canPin, pinSelf, startTarget, type Started } from '../processes.ts';

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    connections: { type: 'string', default: '32' },
    out: { type: 'string' },
  },
});
const durationSeconds = Number(values.duration);
const warmupSeconds = Number(values.warmup);
const connections = Number(values.connections);

const SUT_CORE = 0;
const LOADGEN_CORE = 1;

const QUERIES = {
  simple: '{ programs(limit: 5) { items { id title } } }',
  nested:
    '{ appointments(limit: 50) { items { startsAt program { title } staff { name } student { name } } } }',
} as const;

const TARGETS = [
  {
    name: 'portico-graphql',
    describe: "Portico's /graphql (the graphql plugin alone)",
    script: './graphql/porticoGraphql.ts',
  },
  {
    name: 'hive-gateway',
    describe: '@graphql-hive/gateway, same stitching config',
    script: './graphql/hiveGateway.ts',
  },
];

interface Row {
  target: string;
  query: keyof typeof QUERIES;
  measurement: Measurement;
  subgraphCallsPerOperation: number;
  /** Calls one operation makes on its own (sequential probe, no overlap with others). */
  subgraphCallsAlone: number;
}

async function main(): Promise<void> {
  const pinned = pinSelf(LOADGEN_CORE);
  const subgraphs = await startTarget('./graphql/subgraphs.ts', {}, LOADGEN_CORE);
  const control = `http://127.0.0.1:${subgraphs.port}`;
  const ports = await (await fetch(`${control}/ports`)).json();
  const totalCalls = async () =>
    Object.values((await (await fetch(`${control}/calls`)).json()) as Record<string, number>).reduce(
      (a, b) => a + b,
      0,
    );
  const reset = () => fetch(`${control}/reset`, { method: 'POST' });
  console.log(
    `bench:graphql: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}; ` +
      (pinned && canPin()
        ? `gateway on core ${SUT_CORE}, load + subgraphs on core ${LOADGEN_CORE}`
        : 'not pinned') +
      `; ${connections} connections, ${durationSeconds}s per measurement after ${warmupSeconds}s warm-up`,
  );

  const rows: Row[] = [];
  try {
    await measureAll(rows, ports, reset, totalCalls);
  } finally {
    await subgraphs.stop();
  }
  report(rows, pinned);
}

async function measureAll(
  rows: Row[],
  ports: unknown,
  reset: () => Promise<unknown>,
  totalCalls: () => Promise<number>,
): Promise<void> {
  for (const target of TARGETS) {
    let started: Started;
    try {
      // NODE_ENV=production for both: graphql-js skips its cross-realm instanceof checks then, as in production.
      started = await startTarget(
        target.script,
        { BENCH_SUBGRAPHS: JSON.stringify(ports), NODE_ENV: 'production' },
        SUT_CORE,
      );
    } catch (error) {
      console.log(`  absent ${target.name}: ${(error as Error).message}`);
      continue;
    }
    try {
      for (const [query, text] of Object.entries(QUERIES) as Array<[keyof typeof QUERIES, string]>) {
        const url = `http://127.0.0.1:${started.port}/graphql?query=${encodeURIComponent(text)}`;
        const headers = { 'x-graphql-csrf': '1', accept: 'application/json' };
        // Let whatever the previous measurement left in flight finish, so no call is counted twice.
        await new Promise((resolve) => setTimeout(resolve, 2000));
        // One probe first: the answer must be whole, and it shows the calls of one operation alone.
        await reset();
        const probe = (await (await fetch(url, { headers })).json()) as { errors?: unknown; data?: unknown };
        if (probe.errors || !probe.data)
          throw new Error(`${target.name} ${query}: ${JSON.stringify(probe).slice(0, 500)}`);
        const alone = await totalCalls();
        await measure({ url, durationSeconds: warmupSeconds, connections, headers }, started);
        await new Promise((resolve) => setTimeout(resolve, 2000));
        await reset();
        const measurement = await measure({ url, durationSeconds, connections, headers }, started);
        const answered = measurement.requestsPerSecond * durationSeconds;
        rows.push({
          target: target.name,
          query,
          measurement,
          subgraphCallsAlone: alone,
          subgraphCallsPerOperation: answered > 0 ? (await totalCalls()) / answered : 0,
        });
        console.log(`  measured ${target.name} ${query}: ${Math.round(measurement.requestsPerSecond)} req/s`);
      }
    } finally {
      await started.stop();
    }
  }
}

function report(rows: Row[], pinned: boolean): void {
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
  const lines = rows.map((row) => {
    const hive = rows.find((other) => other.target === 'hive-gateway' && other.query === row.query);
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
  console.log('');
  print(header);
  for (const line of lines) print(line);

  const machine = {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    memoryGiB: Math.round(totalmem() / 1024 ** 3),
    node: process.version,
    kernel: release().split('.').slice(0, 2).join('.'),
  };
  const resultsDir = fileURLToPath(new URL('../../results/', import.meta.url));
  mkdirSync(resultsDir, { recursive: true });
  const file = values.out ?? `${resultsDir}bench-graphql-${new Date().toISOString().slice(0, 10)}.json`;
  const settings = { pinned, connections, durationSeconds, warmupSeconds, queries: QUERIES };
  writeFileSync(
    file,
    `${JSON.stringify({ date: new Date().toISOString(), machine, settings, rows }, null, 2)}\n`,
  );
  console.log(`\nresults: ${file}`);
}

await main();
