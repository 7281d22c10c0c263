// GraphQL subgraph calls go through the upstream client, so each is an attempt span of the
// /graphql request's trace, named by the subgraph's upstream, and the subgraph gets its traceparent.
import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { buildSchema, graphql } from 'graphql';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  startTestGateway,
  startUpstream,
  until,
  type TestGateway,
  type TestUpstream,
} from '../../testing/index.ts';
import { createTracingPlugin } from './index.ts';

const SDL = 'plugins/tracing/testing/shelf.graphql';
const spans = new InMemorySpanExporter();
let subgraph: TestUpstream;
let gateway: TestGateway;

beforeAll(async () => {
  // A real GraphQL server: it executes whatever document the stitched gateway sends it.
  const schema = buildSchema('type Query { shelf: String! }');
  subgraph = await startUpstream((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://subgraph');
      const body = chunks.length
        ? (JSON.parse(Buffer.concat(chunks).toString()) as {
            query: string;
            variables?: Record<string, unknown>;
          })
        : { query: url.searchParams.get('query') ?? '' };
      void graphql({
        schema,
        source: body.query,
        variableValues: body.variables,
        rootValue: { shelf: 'top' },
      }).then((result) => {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify(result));
      });
    });
  });
  gateway = await startTestGateway(
    {
      upstreams: { books: { url: subgraph.url, health: false } },
      plugins: [
        { name: 'tracing' },
        {
          name: 'graphql',
          options: { auth: 'none', subgraphs: { shelves: { upstream: 'books', sdlFile: SDL } } },
        },
      ],
    },
    { extraPlugins: [createTracingPlugin({ spanProcessors: [new SimpleSpanProcessor(spans)] })] },
  );
});
afterAll(async () => {
  await gateway?.stop();
  await subgraph?.close();
});

it('a subgraph call is an attempt span of the /graphql request, and the subgraph gets its traceparent', async () => {
  const response = await fetch(`${gateway.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ shelf }' }),
  });
  expect(await response.json()).toEqual({ data: { shelf: 'top' } });
  await until('the request and subgraph spans ended', async () =>
    [SpanKind.SERVER, SpanKind.CLIENT].every((kind) =>
      spans.getFinishedSpans().some((span) => span.kind === kind),
    ),
  );

  const edge = spans.getFinishedSpans().find((span) => span.kind === SpanKind.SERVER)!;
  expect(edge.name).toBe('POST /graphql');
  expect(edge.attributes['portico.route_id']).toBe('graphql');
  const calls = spans.getFinishedSpans().filter((span) => span.kind === SpanKind.CLIENT);
  expect(calls).toHaveLength(1);
  expect(calls[0]!.name).toBe(`${subgraph.seen[0]!.method} books`);
  expect(calls[0]!.attributes).toMatchObject({
    'portico.upstream': 'books',
    'portico.route_id': 'graphql',
    'portico.route_kind': 'handler',
    'http.response.status_code': 200,
  });
  expect(calls[0]!.parentSpanContext?.spanId).toBe(edge.spanContext().spanId);
  const { traceId, spanId } = calls[0]!.spanContext();
  expect(subgraph.seen[0]!.headers.traceparent).toBe(`00-${traceId}-${spanId}-01`);
});
