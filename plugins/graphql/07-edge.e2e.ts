// The edge around the operations: CSRF prevention, per-operation metrics, the access log's
// operation name, GraphiQL and introspection switches, and in-flight de-duplication.
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedCampus, type Campus } from './testing/seedCampus.ts';
import { startGraphqlStack, type GraphqlStack } from './testing/startGraphqlStack.ts';

let stack: GraphqlStack;
let campus: Campus;
const lines: Array<Record<string, unknown>> = [];

beforeAll(async () => {
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  stack = await startGraphqlStack({}, [{ name: 'access-log' }, { name: 'dedup' }], {
    logger: pino({ level: 'info' }, sink),
  });
  campus = await seedCampus(stack.services, { appointments: 10, programs: 3, staff: 2, students: 2 });
}, 120_000);
afterAll(async () => stack?.stop());

const AGENDA =
  'query Agenda { appointments(limit: 10) { items { startsAt program { title } staff { name } } } }';

describe('CSRF prevention', () => {
  const url = () => `${stack.gateway.url}/graphql`;

  it('refuses a simple POST (text/plain) and a GET without a required header, before any subgraph call', async () => {
    stack.resetCalls();
    const plain = await fetch(url(), {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ query: '{ programs { nextCursor } }' }),
    });
    expect(plain.status).toBe(400);
    expect(
      ((await plain.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0]!.extensions
        .code,
    ).toBe('CSRF_PREFLIGHT_REQUIRED');
    const form = await fetch(url(), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'query={programs{nextCursor}}',
    });
    expect(form.status).toBe(400);
    const get = await fetch(`${url()}?query=${encodeURIComponent('{ programs { nextCursor } }')}`);
    expect(get.status).toBe(400);
    expect(stack.callCounts().programs).toBe(0);
  });

  it('lets JSON POSTs and GETs with a required header through', async () => {
    const get = await fetch(`${url()}?query=${encodeURIComponent('{ programs { nextCursor } }')}`, {
      headers: { 'apollo-require-preflight': 'true' },
    });
    expect(get.status).toBe(200);
    const post = await stack.post({ query: '{ programs { nextCursor } }' });
    expect(post.status).toBe(200);
  });
});

describe('operations in ops', () => {
  it('counts each operation on /metrics with its name, type, duration, errors and subgraph calls', async () => {
    await stack.post({ query: AGENDA }, { token: campus.admin });
    await stack.post({
      query: 'query Broken { programs(limit: 1) { items { id } } appointments { items { id } } }',
    });
    const metrics = await (await fetch(`${stack.gateway.adminUrl}/metrics`)).text();
    expect(metrics).toMatch(
      /portico_graphql_operations_total\{route="graphql",operation="Agenda",type="query",outcome="ok"\} 1/,
    );
    expect(metrics).toMatch(
      /portico_graphql_operation_duration_seconds_count\{route="graphql",operation="Agenda",type="query"\} 1/,
    );
    // appointments + programs + identity: three calls for the nested Agenda.
    expect(metrics).toMatch(
      /portico_graphql_subgraph_calls_per_operation_sum\{route="graphql",operation="Agenda"\} 3/,
    );
    expect(metrics).toMatch(
      /portico_graphql_operation_errors_total\{route="graphql",operation="Broken",code="UNAUTHENTICATED"\} 1/,
    );
    expect(metrics).toMatch(
      /portico_graphql_subgraph_requests_total\{subgraph="programs",outcome="ok"\} \d+/,
    );
  });

  it('names the operation in the access log', async () => {
    await stack.post({ query: AGENDA }, { token: campus.admin });
    const access = lines.filter((line) => line['event'] === 'access' && line['route'] === 'graphql');
    expect(access.at(-1)).toMatchObject({ operation: 'Agenda', status: 200, method: 'POST' });
  });

  it('serves GraphiQL and introspection only when configured', async () => {
    const html = await fetch(`${stack.gateway.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(html.status).toBe(400);
    await stack.restartGateway({ graphiql: true, introspection: true });
    const page = await fetch(`${stack.gateway.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    const text = await page.text();
    expect(text).toContain('<div id="root">');
    // Everything is inline: the page loads nothing from another host.
    expect(text).not.toMatch(/<script[^>]+src=["']https?:/);
    const introspection = await stack.post({ query: '{ __schema { queryType { name } } }' });
    expect(introspection.body.data).toEqual({ __schema: { queryType: { name: 'Query' } } });
    await stack.restartGateway({});
  });
});

describe('in-flight de-duplication', () => {
  // Coalescing merges identical subgraph GETs that are in flight together. With the upstream
  // client's dedup stage (merged from main) 100 concurrent operations made 19 / 18 / 18 calls
  // (appointments / programs / identity) instead of 100 each: the gateway admits them in waves, and
  // an operation that reaches its subgraph call after the leader's answer makes a call of its own.
  // One call per subgraph needs the waves to overlap (hold the taps' answers until every operation
  // waits): until that is built this stays `it.fails`.
  it.fails('100 concurrent identical queries make one call per involved subgraph', async () => {
    stack.resetCalls();
    const answers = await Promise.all(
      Array.from({ length: 100 }, () => stack.post({ query: AGENDA }, { token: campus.admin })),
    );
    for (const answer of answers) expect(answer.body.errors).toBeUndefined();
    expect(stack.callCounts()).toEqual({ appointments: 1, programs: 1, identity: 1, resources: 0 });
  });
});
