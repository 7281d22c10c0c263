// @graphql-hive/gateway as a benchmark target, stitching the same subgraphs the same way: its own
// runtime (yoga, parse/validate caches, plugins), its own HTTP transport and subgraph batching, and
// @graphql-tools/stitch with the same merge config (Portico's mergeConfigOf), handed to it as its
// unified-graph handler. The "supergraph" only names the subgraphs' transports. Its subgraph
// de-duplication (executor-http's deduplicateInflightRequests) is on by default;
// BENCH_OPERATION_DEDUP=1 also turns on inboundInflightRequestDeduplication (identical operations
// in flight run once, keyed on method, URL and every request header, as Portico keys on the caller).
import http from 'node:http';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { profileIfAsked } from './cpuProfile.ts';
import { createGatewayRuntime } from '@graphql-hive/gateway';
import { stitchSchemas } from '@graphql-tools/stitch';
import { buildSchema, type GraphQLSchema } from 'graphql';
import { mergeConfigOf } from '../../../plugins/graphql/buildStitchedSchema.ts';

const ports = JSON.parse(process.env.BENCH_SUBGRAPHS!) as Record<string, number>;
const names = Object.keys(ports);
const supergraph = /* GraphQL */ `
  directive @transport(subgraph: String, kind: String, location: String) repeatable on SCHEMA
  schema ${names
    .map(
      (name) =>
        `@transport(subgraph: "${name}", kind: "http", location: "http://127.0.0.1:${ports[name]}/graphql")`,
    )
    .join(' ')} { query: Query }
  type Query { _bench: String }
`;
const subgraphSchemas = new Map<string, GraphQLSchema>(
  names.map((name) => [
    name,
    buildSchema(readFileSync(new URL(`../../../contracts/graphql/${name}.graphql`, import.meta.url), 'utf8')),
  ]),
);

const gateway = createGatewayRuntime({
  supergraph,
  logging: false,
  graphiql: false,
  landingPage: false,
  inboundInflightRequestDeduplication: process.env.BENCH_OPERATION_DEDUP === '1',
  unifiedGraphHandler: ({ onSubgraphExecute }) => ({
    unifiedGraph: stitchSchemas({
      subschemas: names.map((name) => {
        const schema = subgraphSchemas.get(name)!;
        return {
          name,
          schema,
          batch: true,
          merge: mergeConfigOf(schema),
          executor: (request) => onSubgraphExecute(name, request),
        };
      }),
    }),
    getSubgraphSchema: (name) => subgraphSchemas.get(name)!,
  }),
});
const server = http.createServer(gateway);
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => {
  process.stderr.write(`BENCH_READY ${(server.address() as AddressInfo).port}\n`);
});
const stopProfile = await profileIfAsked();
process.on('SIGTERM', () => void stopProfile().then(() => process.exit(0)));
