// Done when: each operation limit refuses an abusive query before any subgraph call (depth,
// aliases, tokens, cost, batch size), as a GraphQL error with a code of its own.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGraphqlStack, type Answer, type GraphqlStack } from './testing/startGraphqlStack.ts';

let stack: GraphqlStack;
let token: string;

beforeAll(async () => {
  stack = await startGraphqlStack({
    limits: { depth: 3, aliases: 3, directives: 2, tokens: 120, rootFields: 3, cost: 300, batch: 2 },
    // A route of its own with looser limits: limits are per route.
    endpoints: [{ id: 'graphql.deep', path: '/graphql-deep', limits: { depth: 6 } }],
  });
  token = await stack.services.adminToken();
}, 120_000);
afterAll(async () => stack?.stop());

const NO_CALLS = { identity: 0, programs: 0, appointments: 0, resources: 0 };

const codesOf = (answer: Answer) => (answer.body.errors ?? []).map((error) => error.extensions?.['code']);

async function refusedBeforeAnySubgraph(body: unknown, code: string): Promise<Answer> {
  stack.resetCalls();
  const answer = await stack.post(body, { token });
  expect(answer.status).toBe(400);
  expect(codesOf(answer)).toContain(code);
  expect(answer.body.data).toBeUndefined();
  expect(stack.callCounts()).toEqual(NO_CALLS);
  return answer;
}

describe('operation limits', () => {
  it('lets a query within every limit through', async () => {
    stack.resetCalls();
    const answer = await stack.post({ query: '{ programs(limit: 5) { items { title } } }' }, { token });
    expect(answer.body.errors).toBeUndefined();
    expect(answer.status).toBe(200);
    expect(stack.callCounts().programs).toBe(1);
  });

  it('refuses depth', async () => {
    const deep = { query: '{ appointments { items { program { title } } } }' };
    await refusedBeforeAnySubgraph(deep, 'DEPTH_LIMIT_EXCEEDED');
    // The same query on the route that allows more depth runs.
    const response = await fetch(`${stack.gateway.url}/graphql-deep`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(deep),
    });
    expect(response.status).toBe(200);
  });

  it('refuses aliases', () =>
    refusedBeforeAnySubgraph(
      { query: '{ programs { items { a: id b: id c: id d: id } } }' },
      'ALIAS_LIMIT_EXCEEDED',
    ));

  it('refuses directives', () =>
    refusedBeforeAnySubgraph(
      {
        query:
          '{ programs { items { id @skip(if: false) title @skip(if: false) summary @include(if: true) } } }',
      },
      'DIRECTIVE_LIMIT_EXCEEDED',
    ));

  it('refuses tokens while parsing', () =>
    refusedBeforeAnySubgraph(
      { query: `{ programs { items { ${'id '.repeat(130)} } } }` },
      'TOKEN_LIMIT_EXCEEDED',
    ));

  it('refuses root fields', () =>
    refusedBeforeAnySubgraph(
      {
        query:
          '{ a: programs { nextCursor } b: programs { nextCursor } c: programs { nextCursor } program(id: "x") { id } }',
      },
      'ROOT_FIELD_LIMIT_EXCEEDED',
    ));

  it('refuses cost, with list sizes from literals and from variables', async () => {
    const three =
      '{ a: programs(limit: 100) { items { id } } b: programs(limit: 100) { items { id } } c: programs(limit: 100) { items { id } } }';
    const answer = await refusedBeforeAnySubgraph({ query: three }, 'COST_LIMIT_EXCEEDED');
    expect(answer.body.errors![0]!.message).toContain('303');
    const sized = 'query Sized($n: Int) { programs(limit: $n) { items { id } } }';
    await refusedBeforeAnySubgraph({ query: sized, variables: { n: 400 } }, 'COST_LIMIT_EXCEEDED');
    stack.resetCalls();
    const small = await stack.post({ query: sized, variables: { n: 10 } }, { token });
    expect(small.status).toBe(200);
  });

  it('refuses a batch larger than the limit, and answers one within it', async () => {
    const one = { query: '{ programs(limit: 1) { items { id } } }' };
    stack.resetCalls();
    const refused = await stack.post([one, one, one], { token });
    expect(refused.status).toBe(400);
    expect(codesOf(refused)).toEqual(['BATCH_LIMIT_EXCEEDED']);
    expect(stack.callCounts()).toEqual(NO_CALLS);
    const answered = await stack.post([one, one], { token });
    expect(answered.status).toBe(200);
    expect(answered.body).toHaveLength(2);
  });

  it('refuses introspection by default', () =>
    refusedBeforeAnySubgraph({ query: '{ __schema { queryType { name } } }' }, 'INTROSPECTION_DISABLED'));
});
