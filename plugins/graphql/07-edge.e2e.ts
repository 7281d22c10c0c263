// The edge around the operations: CSRF prevention, per-operation metrics, the access log's
// operation name, GraphiQL and introspection switches, and in-flight de-duplication.
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../../testing/until.ts';
import { seedCampus, type Campus } from './testing/seedCampus.ts';
import {
  COUNTER_SDL_FILE,
  startCounterSubgraph,
  type CounterSubgraph,
} from './testing/startCounterSubgraph.ts';
import { SERVICE_NAMES, startGraphqlStack, type GraphqlStack } from './testing/startGraphqlStack.ts';
import { startSubgraphTap, type SubgraphTap } from './testing/subgraphTap.ts';

let stack: GraphqlStack;
let campus: Campus;
// A subgraph with a mutation (the services have none), behind its own tap.
let counter: CounterSubgraph;
let counterTap: SubgraphTap;
const lines: Array<Record<string, unknown>> = [];
const BASE = {
  subgraphs: {
    ...Object.fromEntries(SERVICE_NAMES.map((name) => [name, {}])),
    counter: { sdlFile: COUNTER_SDL_FILE },
  },
};

beforeAll(async () => {
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  counter = await startCounterSubgraph();
  counterTap = await startSubgraphTap(counter.url);
  stack = await startGraphqlStack(BASE, [{ name: 'access-log' }, { name: 'dedup' }], {
    logger: pino({ level: 'info' }, sink),
    upstreams: { counter: counterTap.url },
  });
  campus = await seedCampus(stack.services, { appointments: 10, programs: 3, staff: 2, students: 2 });
}, 120_000);
afterAll(async () => {
  await stack?.stop();
  await counterTap?.close();
  await counter?.close();
});

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
    await stack.restartGateway({ ...BASE, graphiql: true, introspection: true });
    const page = await fetch(`${stack.gateway.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    const text = await page.text();
    expect(text).toContain('<div id="root">');
    // Everything is inline: the page loads nothing from another host.
    expect(text).not.toMatch(/<script[^>]+src=["']https?:/);
    const introspection = await stack.post({ query: '{ __schema { queryType { name } } }' });
    expect(introspection.body.data).toEqual({ __schema: { queryType: { name: 'Query' } } });
    await stack.restartGateway(BASE);
  });
});

describe('in-flight de-duplication', () => {
  /** Operations that waited on an identical one in flight (the plugin's counter on /metrics). */
  const deduplicated = async (): Promise<number> => {
    const metrics = await (await fetch(`${stack.gateway.adminUrl}/metrics`)).text();
    const match = /^portico_graphql_deduplicated_operations_total\{route="graphql"\} (\d+)$/m.exec(metrics);
    return match ? Number(match[1]) : 0;
  };
  const errorCode = (answer: { body: { errors?: Array<{ extensions?: Record<string, unknown> }> } }) =>
    answer.body.errors?.[0]?.extensions?.['code'];

  // The operations must overlap, whatever the machine's load: the appointments tap holds the
  // first call until all 100 operations are at the edge (99 waiting on the first), then lets it go.
  it('100 concurrent identical queries make one call per involved subgraph', async () => {
    stack.resetCalls();
    const before = await deduplicated();
    stack.taps.appointments.hold();
    const answers = Promise.all(
      Array.from({ length: 100 }, () => stack.post({ query: AGENDA }, { token: campus.admin })),
    );
    try {
      await until(
        '99 operations wait on the first',
        async () => (await deduplicated()) - before >= 99,
        90_000,
      );
    } finally {
      stack.taps.appointments.release();
    }
    for (const answer of await answers) {
      expect(answer.body.errors).toBeUndefined();
      expect((answer.body.data!['appointments'] as { items: unknown[] }).items).toHaveLength(10);
    }
    expect(stack.callCounts()).toEqual({ appointments: 1, programs: 1, identity: 1, resources: 0 });
    expect((await deduplicated()) - before).toBe(99);
    const metrics = await (await fetch(`${stack.gateway.adminUrl}/metrics`)).text();
    // The waiting ones made no call: 3 calls for 100 Agenda operations (and 3 for the earlier one).
    expect(metrics).toMatch(
      /portico_graphql_subgraph_calls_per_operation_bucket\{le="0",route="graphql",operation="Agenda"\} 99/,
    );
  }, 120_000);

  it('never shares an operation between two callers', async () => {
    const [first, second] = campus.students;
    const query = 'query Me { me { id } }';
    stack.resetCalls();
    const before = await deduplicated();
    stack.taps.identity.hold();
    const answers = Promise.all(
      [first!, second!].map((user) => stack.post({ query }, { token: user.accessToken })),
    );
    try {
      // Shared, only one call would ever reach identity.
      await until('both callers reach identity', async () => stack.taps.identity.held() === 2, 45_000);
    } finally {
      stack.taps.identity.release();
    }
    const [forFirst, forSecond] = await answers;
    expect(forFirst!.body).toEqual({ data: { me: { id: first!.id } } });
    expect(forSecond!.body).toEqual({ data: { me: { id: second!.id } } });
    const callers = stack.taps.identity.graphqlCalls().map((call) => call.headers['x-user-id']);
    expect(callers.sort()).toEqual([first!.id, second!.id].sort());
    expect(await deduplicated()).toBe(before);
  });

  it('never shares a mutation', async () => {
    counterTap.calls.length = 0;
    counterTap.hold();
    const answers = Promise.all(
      [1, 2].map(() => stack.post({ query: 'mutation Bump { bump }' }, { token: campus.admin })),
    );
    try {
      await until('both mutations reach the subgraph', async () => counterTap.held() === 2, 45_000);
    } finally {
      counterTap.release();
    }
    const bumps = (await answers).map((answer) => {
      expect(answer.body.errors).toBeUndefined();
      return (answer.body.data as { bump: number }).bump;
    });
    // Each ran: two different counts.
    expect(new Set(bumps).size).toBe(2);
    expect(counterTap.graphqlCalls().map((call) => call.method)).toEqual(['POST', 'POST']);
  });

  it('shares an error answer only while it is in flight, never after', async () => {
    const student = campus.students[0]!;
    const query = 'query Mine { me { id } }';
    stack.resetCalls();
    const before = await deduplicated();
    stack.taps.identity.answerWith({
      data: { me: null },
      errors: [{ message: 'identity is rebuilding', path: ['me'], extensions: { code: 'REBUILDING' } }],
    });
    stack.taps.identity.hold();
    const during = Promise.all(
      Array.from({ length: 5 }, () => stack.post({ query }, { token: student.accessToken })),
    );
    try {
      await until('4 operations wait on the first', async () => (await deduplicated()) - before >= 4, 45_000);
    } finally {
      stack.taps.identity.release();
    }
    const failed = await during;
    for (const answer of failed) {
      expect(answer.body.data).toEqual({ me: null });
      expect(errorCode(answer)).toBe('REBUILDING');
      // Each answer is its own request's: the error names that request's id.
      expect(answer.body.errors![0]!.extensions!['requestId']).toBe(answer.headers.get('x-request-id'));
    }
    expect(stack.callCounts().identity).toBe(1);

    // The same operation once the error is over: it runs again and gets the data.
    stack.taps.identity.answerWith(undefined);
    const after = await stack.post({ query }, { token: student.accessToken });
    expect(after.body).toEqual({ data: { me: { id: student.id } } });
    expect(stack.callCounts().identity).toBe(2);
  });
});
