// The Redis input of loadtest/CAPACITY.md: how many rate-limit consumes one Redis core answers.
// Runs rate-limiter-flexible's own increment-with-TTL Lua script (what RateLimiterRedis sends per
// policy per request) through redis-benchmark against a real redis-server, the server pinned to one
// core and the benchmark to the other; also plain INCR and GET for scale. Writes
// loadtest/results/connections-redis-ops-<date>.json. Bounded: a fixed request count per test.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, redisServerBinary } from '../../../testing/startRedisServer.ts';
import { canPin } from '../processes.ts';

const REQUESTS = 300_000;
const CLIENTS = 64;
// rate-limiter-flexible 11, lib/RateLimiterRedis.js: incrTtlLuaScript.
const RLFLX_SCRIPT = readFileSync(
  fileURLToPath(
    new URL('../../../node_modules/rate-limiter-flexible/lib/RateLimiterRedis.js', import.meta.url),
  ),
  'utf8',
);
const luaMatch = /const incrTtlLuaScript = `([\s\S]*?)`;/.exec(RLFLX_SCRIPT);
if (!luaMatch) throw new Error('rate-limiter-flexible: incrTtlLuaScript not found');
const lua = luaMatch[1]!.replace(/\\\n/g, '\n');

const binary = redisServerBinary();
if (!binary) throw new Error('redis-server is not installed');
const port = await freePort();
const pin = canPin();
const server = spawn(
  pin ? 'taskset' : binary,
  [
    ...(pin ? ['-c', '0', binary] : []),
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
    '--dir',
    mkdtempSync(join(tmpdir(), 'portico-redis-ops-')),
  ],
  { stdio: 'ignore' },
);
await new Promise((resolve) => setTimeout(resolve, 500));

function bench(
  name: string,
  command: string[],
): { name: string; requestsPerSecond: number; p50Ms?: number; p99Ms?: number } {
  const args = [
    '-p',
    String(port),
    '-n',
    String(REQUESTS),
    '-c',
    String(CLIENTS),
    '-r',
    '100000',
    '--csv',
    ...command,
  ];
  const result = spawnSync(
    pin ? 'taskset' : 'redis-benchmark',
    pin ? ['-c', '1', 'redis-benchmark', ...args] : args,
    {
      encoding: 'utf8',
      timeout: 120_000,
    },
  );
  const lines = result.stdout.trim().split('\n');
  const header = lines[0]!.split(',').map((cell) => cell.replace(/"/g, ''));
  const row = lines[lines.length - 1]!.split(',').map((cell) => cell.replace(/"/g, ''));
  const at = (column: string) => Number(row[header.indexOf(column)]);
  return { name, requestsPerSecond: at('rps'), p50Ms: at('p50_latency_ms'), p99Ms: at('p99_latency_ms') };
}

const results = [
  bench('rate-limiter-flexible consume (EVAL incrTtlLuaScript)', [
    'EVAL',
    lua,
    '1',
    'rl:__rand_int__',
    '1',
    '60',
  ]),
  bench('INCR', ['INCR', 'counter:__rand_int__']),
  bench('GET', ['GET', 'key:__rand_int__']),
];
server.kill('SIGTERM');

const machine = {
  cpus: cpus().length,
  cpuModel: cpus()[0]?.model,
  memoryGiB: Math.round(totalmem() / 1024 ** 3),
  node: process.version,
  kernel: release().split('.').slice(0, 2).join('.'),
  redis: spawnSync(binary, ['--version'], { encoding: 'utf8' }).stdout.trim(),
};
const file = fileURLToPath(
  new URL(
    `../../results/connections-redis-ops-${new Date().toISOString().slice(0, 10)}.json`,
    import.meta.url,
  ),
);
mkdirSync(fileURLToPath(new URL('../../results', import.meta.url)), { recursive: true });
writeFileSync(
  file,
  `${JSON.stringify(
    {
      date: new Date().toISOString(),
      machine,
      setup: {
        pinned: pin,
        serverCore: pin ? 0 : undefined,
        benchmarkCore: pin ? 1 : undefined,
        requests: REQUESTS,
        clients: CLIENTS,
        loadAverageAtEnd: readFileSync('/proc/loadavg', 'utf8').trim(),
      },
      results,
    },
    null,
    2,
  )}\n`,
);
for (const result of results)
  console.log(`${result.name}: ${Math.round(result.requestsPerSecond)} ops/s, p99 ${result.p99Ms} ms`);
console.log(`results: ${file}`);
