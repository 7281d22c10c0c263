// Portico's /graphql as a benchmark target: the graphql plugin, with the dedup plugin for the
// subgraph-level coalescing Hive Gateway has by default, in front of the bench subgraphs
// (BENCH_SUBGRAPHS: JSON of name → port); BENCH_OPERATION_DEDUP=0 turns deduplicateOperations off.
// Logs to stdout as in production.
import pino from 'pino';
import { profileIfAsked } from './cpuProfile.ts';
import { resolveConfig } from '../../../gateway/config/loadConfigFile.ts';
import { createGateway } from '../../../gateway/createGateway.ts';

const ports = JSON.parse(process.env.BENCH_SUBGRAPHS!) as Record<string, number>;
const loaded = await resolveConfig({
  server: { port: 0, admin: { port: 0 } },
  upstreams: Object.fromEntries(
    Object.entries(ports).map(([name, port]) => [name, { url: `http://127.0.0.1:${port}`, health: false }]),
  ),
  plugins: [
    { name: 'dedup' },
    {
      name: 'graphql',
      options: { auth: 'none', deduplicateOperations: process.env.BENCH_OPERATION_DEDUP !== '0' },
    },
  ],
});
const gateway = await createGateway(loaded, {
  logger: pino({ level: 'info' }, pino.destination({ dest: 1, sync: false })),
});
const { url } = await gateway.start();
process.stderr.write(`BENCH_READY ${new URL(url).port}\n`);
const stopProfile = await profileIfAsked();
process.on(
  'SIGTERM',
  () =>
    void stopProfile()
      .then(() => gateway.stop())
      .then(() => process.exit(0)),
);
