// Where a GraphQL target's time goes: runs it under --cpu-prof for the nested query and prints the
// functions with the most self time, and the share of time per package.
// node gateway/bin/run-ts.js loadtest/bench/graphql/profile.ts [portico-graphql|hive-gateway] [--duration 5]
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { measure } from '../measure.ts';
import { startTarget } from '../processes.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { duration: { type: 'string', default: '5' }, connections: { type: 'string', default: '16' } },
});
const scripts: Record<string, string> = {
  'portico-graphql': './graphql/porticoGraphql.ts',
  'hive-gateway': './graphql/hiveGateway.ts',
};
const name = positionals[0] ?? 'portico-graphql';
const query =
  '{ appointments(limit: 50) { items { startsAt program { title } staff { name } student { name } } } }';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

const dir = mkdtempSync(join(tmpdir(), 'portico-graphql-profile-'));
const subgraphs = await startTarget('./graphql/subgraphs.ts', {});
const ports = await (await fetch(`http://127.0.0.1:${subgraphs.port}/ports`)).json();
const target = await startTarget(scripts[name]!, {
  BENCH_SUBGRAPHS: JSON.stringify(ports),
  BENCH_CPU_PROFILE: join(dir, 'target.cpuprofile'),
  // Each operation runs (no sharing of identical ones), so the profile shows one operation's work.
  BENCH_OPERATION_DEDUP: process.env.BENCH_OPERATION_DEDUP ?? '0',
  NODE_ENV: 'production',
});
const url = `http://127.0.0.1:${target.port}/graphql?query=${encodeURIComponent(query)}`;
let result: Awaited<ReturnType<typeof measure>>;
try {
  result = await measure(
    {
      url,
      durationSeconds: Number(values.duration),
      connections: Number(values.connections),
      headers: { 'x-graphql-csrf': '1', accept: 'application/json' },
    },
    target,
  );
} finally {
  await target.stop();
  await subgraphs.stop();
}
if (result.errors + result.non2xx > 0) console.log(`  ! ${result.errors} errors, ${result.non2xx} non-2xx`);
console.log(
  `${name}: ${Math.round(result.requestsPerSecond)} req/s, ${Math.round(result.cpuMicrosPerRequest)} CPU µs/req`,
);

const profile = JSON.parse(readFileSync(join(dir, 'target.cpuprofile'), 'utf8')) as { nodes: ProfileNode[] };
const total = profile.nodes.reduce((sum, node) => sum + (node.hitCount ?? 0), 0);
const byFunction = new Map<string, number>();
const byPackage = new Map<string, number>();
for (const node of profile.nodes) {
  const hits = node.hitCount ?? 0;
  if (hits === 0) continue;
  const { functionName, url: file, lineNumber } = node.callFrame;
  const key = `${functionName || '(anonymous)'} ${file.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/wt\/[^/]+\//, '')}:${lineNumber + 1}`;
  byFunction.set(key, (byFunction.get(key) ?? 0) + hits);
  const pkg =
    /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file)?.[1] ??
    (file.startsWith('node:') || file === '' ? '(node/native)' : '(portico)');
  byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + hits);
}
const top = (map: Map<string, number>, n: number) =>
  [...map]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([key, hits]) => `  ${((hits / total) * 100).toFixed(1).padStart(5)}%  ${key}`);
console.log('\nself time by package:');
console.log(top(byPackage, 15).join('\n'));
console.log('\nself time by function:');
console.log(top(byFunction, 25).join('\n'));
