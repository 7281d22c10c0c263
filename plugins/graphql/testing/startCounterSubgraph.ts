// A small real GraphQL service with a mutation, for what the services' query-only subschemas
// cannot show: `bump` adds one and answers the new count, so two bumps that both ran answer two
// different numbers.
import http from 'node:http';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { buildSchema, graphql } from 'graphql';

export const COUNTER_SDL_FILE = fileURLToPath(new URL('./counter.graphql', import.meta.url));

export interface CounterSubgraph {
  url: string;
  close(): Promise<void>;
}

export async function startCounterSubgraph(): Promise<CounterSubgraph> {
  const schema = buildSchema(readFileSync(COUNTER_SDL_FILE, 'utf8'));
  let count = 0;
  const rootValue = { count: () => count, bump: () => (count += 1) };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://counter');
      const params = (
        req.method === 'POST'
          ? JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}')
          : { query: url.searchParams.get('query') }
      ) as { query?: string; variables?: Record<string, unknown>; operationName?: string };
      void graphql({
        schema,
        source: params.query ?? '',
        rootValue,
        variableValues: params.variables,
        operationName: params.operationName,
      }).then((result) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(result));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
