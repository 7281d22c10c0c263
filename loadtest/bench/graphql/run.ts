// `npm run bench:graphql`: the GraphQL rows alone (graphqlBench.ts says what is measured and how
// both gateways are set up). `--only portico-graphql,hive-gateway` runs some targets; JSON goes
// under loadtest/results/.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { canPin, pinSelf } from '../processes.ts';
import { GRAPHQL_CONNECTIONS, GRAPHQL_QUERIES, graphqlBench, printGraphqlBench } from './graphqlBench.ts';

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    connections: { type: 'string', default: String(GRAPHQL_CONNECTIONS) },
    only: { type: 'string' },
    out: { type: 'string' },
  },
});
const settings = {
  durationSeconds: Number(values.duration),
  warmupSeconds: Number(values.warmup),
  connections: Number(values.connections),
  sutCore: 0,
  loadgenCore: 1,
  only: values.only?.split(','),
};

const pinned = pinSelf(settings.loadgenCore);
console.log(
  `bench:graphql: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}; ` +
    (pinned && canPin()
      ? `gateway on core ${settings.sutCore}, load + subgraphs on core ${settings.loadgenCore}`
      : 'not pinned') +
    `; ${settings.connections} connections, ${settings.durationSeconds}s per measurement after ${settings.warmupSeconds}s warm-up`,
);
const result = await graphqlBench(settings);
printGraphqlBench(result);

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
writeFileSync(
  file,
  `${JSON.stringify(
    {
      date: new Date().toISOString(),
      machine,
      settings: { pinned, ...settings, queries: GRAPHQL_QUERIES },
      rows: result.rows,
      absent: result.absent,
    },
    null,
    2,
  )}\n`,
);
console.log(`\nresults: ${file}`);
