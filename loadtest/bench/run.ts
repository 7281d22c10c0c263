// `npm run bench`: one tiny upstream, one load generator, several ways through to it; prints a
// table and writes JSON under loadtest/results/. Rows are compared as ratios within one run.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, release } from 'node:os';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { measure, type Measurement } from './measure.ts';
import { startTestIssuer, type TestIssuer } from '../../plugins/auth-jwt/testing/testIssuer.ts';
import { redisSkipReason, startRedisServer, type RedisServer } from '../../testing/startRedisServer.ts';
import { PORTICO_VARIANTS } from './porticoVariants.ts';
import { mobileBench, printMobileBench, type MobileBenchResult } from './mobile/mobileBench.ts';
import {
  GRAPHQL_CONNECTIONS,
  GRAPHQL_TARGETS,
  graphqlBench,
  printGraphqlBench,
  type GraphqlBenchResult,
} from './graphql/graphqlBench.ts';
import { canPin, pinSelf, startTarget, TargetAbsent, type Started } from './processes.ts';

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    connections: { type: 'string', default: '64' },
    only: { type: 'string' },
    out: { type: 'string' },
  },
});
const durationSeconds = Number(values.duration);
const warmupSeconds = Number(values.warmup);
const connections = Number(values.connections);
const only = values.only?.split(',');

interface Row {
  name: string;
  describe: string;
  capacity: Measurement;
  openLoop: Record<string, Measurement>;
}

interface AbsentRow {
  name: string;
  describe: string;
  absent: string;
}

interface TargetSpec {
  name: string;
  describe: string;
  auth?: boolean;
  redis?: boolean;
  request?:
    | { method: 'POST'; path: string; body: string; headers: Record<string, string> }
    | { method: 'GET'; path: string };
  start(upstreamUrl: string): Promise<Started>;
}

// Shared by the rows that need them; started once, in this (load generator) process.
let issuer: TestIssuer | undefined;
let redis: RedisServer | undefined;

const SUT_CORE = 0;
const LOADGEN_CORE = 1;

const targets: TargetSpec[] = [
  {
    name: 'direct',
    describe: 'the upstream itself, no proxy',
    start: () => startTarget('./targets/upstream.ts', {}, SUT_CORE),
  },
  {
    name: 'hapi-hello',
    describe: 'diagnostic: bare hapi answering the same body itself (what the lifecycle costs)',
    start: () => startTarget('./targets/hapiHello.ts', {}, SUT_CORE),
  },
  {
    name: 'hapi-proxy',
    describe: 'diagnostic: minimal hapi route + http-proxy, nothing of Portico (what the pairing costs)',
    start: (upstreamUrl: string) =>
      startTarget('./targets/hapiProxy.ts', { BENCH_UPSTREAM: upstreamUrl }, SUT_CORE),
  },
  {
    name: 'nginx',
    describe: 'nginx 1 worker, upstream keep-alive, access log off',
    start: (upstreamUrl: string) =>
      startTarget('./targets/nginx.ts', { BENCH_UPSTREAM: upstreamUrl }, SUT_CORE),
  },
  {
    name: 'bare-proxy',
    describe: 'bare http-proxy with a keep-alive agent',
    start: (upstreamUrl: string) =>
      startTarget('./targets/bareProxy.ts', { BENCH_UPSTREAM: upstreamUrl }, SUT_CORE),
  },
  {
    name: 'undici-loop',
    describe: 'baseline of the handler row: a bare node server calling the upstream with undici Pool',
    request: { method: 'GET' as const, path: '/handler/api/v1/programs/42' },
    start: (upstreamUrl: string) =>
      startTarget('./targets/undiciLoop.ts', { BENCH_UPSTREAM: upstreamUrl }, SUT_CORE),
  },
  ...Object.entries(PORTICO_VARIANTS).map(([name, variant]) => ({
    name,
    describe: variant.describe,
    auth: variant.auth,
    redis: variant.redis,
    request: variant.request,
    start: async (upstreamUrl: string) => {
      if (variant.redis && !redis) {
        const reason = redisSkipReason();
        if (reason) throw new TargetAbsent(reason);
        redis = await startRedisServer();
      }
      return startTarget(
        './targets/portico.ts',
        {
          BENCH_UPSTREAM: upstreamUrl,
          BENCH_VARIANT: name,
          BENCH_ISSUER: issuer!.issuer,
          BENCH_JWKS_URI: issuer!.jwksUri,
          ...(redis && { BENCH_REDIS_URL: redis.url }),
        },
        SUT_CORE,
      );
    },
  })),
]
  .filter((target) => !only || only.includes(target.name) || target.name === 'bare-proxy')
  // The bare proxy sets the open-loop rates every later row is measured at, so it goes first.
  .sort((a, b) => Number(b.name === 'bare-proxy') - Number(a.name === 'bare-proxy'));

async function main(): Promise<void> {
  const pinned = pinSelf(LOADGEN_CORE);
  const upstream = await startTarget('./targets/upstream.ts', {}, LOADGEN_CORE);
  issuer = await startTestIssuer();
  const authorization = `Bearer ${await issuer.sign({ sub: 'bench-user', roles: ['student'] }, { expiresIn: '2h' })}`;
  const upstreamUrl = `http://127.0.0.1:${upstream.port}`;
  console.log(
    `bench: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}; ` +
      (pinned && canPin()
        ? `system under test on core ${SUT_CORE}, load generator + upstream on core ${LOADGEN_CORE}`
        : 'not pinned (one core or no taskset)') +
      `; ${connections} connections, ${durationSeconds}s per measurement after ${warmupSeconds}s warm-up`,
  );

  const rows: Row[] = [];
  const absent: AbsentRow[] = [];
  let openLoopRates: number[] = [];
  for (const target of targets) {
    let started: Started;
    try {
      started = await target.start(upstreamUrl);
    } catch (error) {
      if (!(error instanceof TargetAbsent)) throw error;
      absent.push({ name: target.name, describe: target.describe, absent: error.message });
      console.log(`  absent ${target.name}: ${error.message}`);
      continue;
    }
    const url = `http://127.0.0.1:${started.port}${target.request?.path ?? '/api/v1/programs/42'}`;
    const sent = target.request;
    const headers = target.auth ? { authorization } : sent?.method === 'POST' ? sent.headers : undefined;
    const request = sent && { method: sent.method, ...(sent.method === 'POST' && { body: sent.body }) };
    try {
      await measure({ url, durationSeconds: warmupSeconds, connections, headers, ...request }, started);
      const capacity = await measure({ url, durationSeconds, connections, headers, ...request }, started);
      if (target.name === 'bare-proxy')
        openLoopRates = [0.5, 0.8].map((share) => Math.round(capacity.requestsPerSecond * share));
      const openLoop: Record<string, Measurement> = {};
      for (const rate of openLoopRates) {
        openLoop[String(rate)] = await measure(
          {
            url,
            durationSeconds,
            connections: 128,
            overallRate: rate,
            headers,
            ...request,
          },
          started,
        );
      }
      rows.push({ name: target.name, describe: target.describe, capacity, openLoop });
      console.log(`  measured ${target.name}: ${Math.round(capacity.requestsPerSecond)} req/s`);
    } finally {
      await started.stop();
    }
  }
  await upstream.stop();
  await issuer.stop();
  await redis?.stop();
  const mobile =
    !only || only.some((name) => name.startsWith('mobile'))
      ? await mobileBench({ durationSeconds, warmupSeconds, connections, sutCore: SUT_CORE })
      : undefined;
  // The GraphQL rows (graphql/graphqlBench.ts): `--only graphql` runs them all, or name their targets.
  const graphqlOnly = only?.filter((name) => GRAPHQL_TARGETS.some((target) => target.name === name));
  const graphql =
    !only || only.includes('graphql') || graphqlOnly!.length > 0
      ? await graphqlBench({
          durationSeconds,
          warmupSeconds,
          connections: GRAPHQL_CONNECTIONS,
          sutCore: SUT_CORE,
          loadgenCore: LOADGEN_CORE,
          only: graphqlOnly?.length ? graphqlOnly : undefined,
        })
      : undefined;
  report(
    rows,
    absent,
    openLoopRates,
    { pinned, connections, durationSeconds, warmupSeconds },
    mobile,
    graphql,
  );
}

function report(
  rows: Row[],
  absent: AbsentRow[],
  rates: number[],
  settings: { pinned: boolean; connections: number; durationSeconds: number; warmupSeconds: number },
  mobile?: MobileBenchResult,
  graphql?: GraphqlBenchResult,
): void {
  const bare = rows.find((row) => row.name === 'bare-proxy')!;
  const format = (value: number, digits = 2) => value.toFixed(digits);
  const header = [
    'target',
    'req/s',
    '×bare',
    'CPU µs/req',
    '×bare CPU',
    'p50 ms',
    'p99 ms',
    'p99.9 ms',
    'RSS MB',
    ...rates.flatMap((rate) => [`p99@${rate}/s`, `Δp99@${rate}/s`]),
  ];
  const lines = rows.map((row) => [
    row.name,
    format(row.capacity.requestsPerSecond, 0),
    format(row.capacity.requestsPerSecond / bare.capacity.requestsPerSecond),
    format(row.capacity.cpuMicrosPerRequest, 0),
    format(row.capacity.cpuMicrosPerRequest / bare.capacity.cpuMicrosPerRequest),
    format(row.capacity.latencyMs.p50),
    format(row.capacity.latencyMs.p99),
    format(row.capacity.latencyMs.p999),
    format(row.capacity.peakRssBytes / 1024 / 1024, 0),
    ...rates.flatMap((rate) => {
      const mine = row.openLoop[String(rate)];
      const theirs = bare.openLoop[String(rate)];
      return mine && theirs
        ? [
            format(mine.latencyMs.p99),
            `${mine.latencyMs.p99 - theirs.latencyMs.p99 >= 0 ? '+' : ''}${format(mine.latencyMs.p99 - theirs.latencyMs.p99)}`,
          ]
        : ['-', '-'];
    }),
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...lines.map((line) => line[column]!.length)),
  );
  const print = (cells: string[]) =>
    console.log(cells.map((cell, column) => cell.padStart(widths[column]!)).join('  '));
  console.log('');
  print(header);
  for (const line of lines) print(line);
  for (const row of absent) console.log(`${row.name.padStart(widths[0]!)}  absent: ${row.absent}`);
  const nginx = rows.find((row) => row.name === 'nginx');
  if (nginx) {
    console.log('\nratios to nginx (req/s, CPU per request):');
    for (const row of rows.filter((candidate) => candidate.name.startsWith('portico'))) {
      console.log(
        `  ${row.name}: ${format(row.capacity.requestsPerSecond / nginx.capacity.requestsPerSecond)}× req/s, ` +
          `${format(row.capacity.cpuMicrosPerRequest / nginx.capacity.cpuMicrosPerRequest)}× CPU per request`,
      );
    }
  }
  // Every measurement of a row counts: an open-loop run answered with errors measures the errors.
  for (const row of rows) {
    const runs = [
      ['capacity', row.capacity] as const,
      ...Object.entries(row.openLoop).map(([rate, run]) => [`${rate}/s`, run] as const),
    ];
    for (const [label, run] of runs)
      if (run.errors + run.non2xx > 0)
        console.log(`  ! ${row.name} (${label}): ${run.errors} errors, ${run.non2xx} non-2xx`);
  }

  if (mobile) printMobileBench(mobile);
  if (graphql) printGraphqlBench(graphql);

  const machine = {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    memoryGiB: Math.round(totalmem() / 1024 ** 3),
    node: process.version,
    // Kernel major.minor only: the full release string names the host's build, which results need not carry.
    kernel: release().split('.').slice(0, 2).join('.'),
  };
  const resultsDir = fileURLToPath(new URL('../results', import.meta.url));
  mkdirSync(resultsDir, { recursive: true });
  const file = values.out ?? `${resultsDir}/bench-${new Date().toISOString().slice(0, 10)}.json`;
  writeFileSync(
    file,
    `${JSON.stringify({ date: new Date().toISOString(), machine, settings, openLoopRates: rates, rows, absent, mobile, graphql }, null, 2)}\n`,
  );
  console.log(`\nresults: ${file}`);
}

await main();
