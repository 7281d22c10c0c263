// Done when: a killed service gives partial data with an error on its fields and the gateway keeps
// serving; no stack trace or internal message reaches a client.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedCampus, type Campus } from './testing/seedCampus.ts';
import { startGraphqlStack, type Answer, type GraphqlStack } from './testing/startGraphqlStack.ts';

let stack: GraphqlStack;
let campus: Campus;

beforeAll(async () => {
  stack = await startGraphqlStack();
  campus = await seedCampus(stack.services, { appointments: 5, programs: 2, staff: 1, students: 1 });
}, 120_000);
afterAll(async () => stack?.stop());

const AGENDA = '{ appointments(limit: 5) { items { id program { title } staff { name } } } }';

const INTERNAL = /(\n\s+at |node_modules|\.ts:\d|ECONNREFUSED|127\.0\.0\.1|stack)/i;

function expectNothingInternal(answer: Answer): void {
  expect(answer.text).not.toMatch(INTERNAL);
  for (const error of answer.body.errors ?? []) {
    expect(Object.keys(error.extensions ?? {}).sort()).toEqual(expect.arrayContaining(['code', 'requestId']));
    expect(
      Object.keys(error.extensions ?? {}).every((key) => ['code', 'requestId', 'service'].includes(key)),
    ).toBe(true);
  }
}

describe('a subgraph that fails', () => {
  it('answers partial data with errors on the killed service’s fields, and recovers when it returns', async () => {
    await stack.taps.programs.kill();
    try {
      const answer = await stack.post({ query: AGENDA }, { token: campus.admin });
      expect(answer.status).toBe(200);
      const items = (answer.body.data!['appointments'] as { items: Array<Record<string, unknown>> }).items;
      expect(items).toHaveLength(5);
      for (const item of items) {
        expect(item['id']).toEqual(expect.any(String));
        expect((item['staff'] as { name: string }).name).toBe('Staff 0');
      }
      const codes = new Set(answer.body.errors!.map((error) => error.extensions?.['code']));
      expect(codes).toEqual(new Set(['SUBGRAPH_UNAVAILABLE']));
      expect(answer.body.errors![0]!.path?.slice(0, 2)).toEqual(['appointments', 'items']);
      expect(answer.body.errors![0]!.extensions?.['service']).toBe('programs');
      expectNothingInternal(answer);

      // The gateway keeps serving what does not need the missing service.
      const other = await stack.post({ query: '{ me { id } }' }, { token: campus.admin });
      expect(other.status).toBe(200);
      expect(other.body.errors).toBeUndefined();
      // A root field of the missing service: null with its error.
      const root = await stack.post({ query: '{ programs { items { id } } }' });
      expect(root.body.errors?.[0]).toMatchObject({
        path: ['programs'],
        extensions: { code: 'SUBGRAPH_UNAVAILABLE', service: 'programs' },
      });
    } finally {
      await stack.taps.programs.revive();
    }
    const back = await stack.post({ query: AGENDA }, { token: campus.admin });
    expect(back.body.errors).toBeUndefined();
  });

  it('starts with a service down, answers errors on its fields, and serves them once it is up', async () => {
    await stack.taps.resources.kill();
    try {
      await stack.restartGateway({});
      const down = await stack.post(
        { query: '{ resource(id: "00000000-0000-4000-8000-000000000000") { id } me { id } }' },
        { token: campus.admin },
      );
      expect(down.status).toBe(200);
      expect(down.body.data?.['me']).toEqual({ id: expect.any(String) });
      expect(down.body.errors?.[0]).toMatchObject({
        path: ['resource'],
        extensions: { code: 'SUBGRAPH_UNAVAILABLE', service: 'resources' },
      });
    } finally {
      await stack.taps.resources.revive();
    }
    const up = await stack.post({ query: '{ resources { items { id } } }' }, { token: campus.admin });
    expect(up.body.errors).toBeUndefined();
    expect(up.body.data).toEqual({ resources: { items: [] } });
  });

  it('masks an uncoded subgraph error (an internal message) and keeps a coded one', async () => {
    stack.taps.programs.answerWith({
      data: { programs: null },
      errors: [{ message: 'connect ECONNREFUSED 10.0.0.5:5432 at pg.Pool', path: ['programs'] }],
    });
    try {
      const masked = await stack.post({ query: '{ programs { items { id } } }' });
      expect(masked.body.errors?.[0]).toMatchObject({
        message: 'Unexpected error.',
        path: ['programs'],
        extensions: { code: 'SUBGRAPH_ERROR', service: 'programs' },
      });
      expect(masked.body.errors?.[0]?.extensions?.['requestId']).toEqual(masked.headers.get('x-request-id'));
      expectNothingInternal(masked);

      stack.taps.programs.answerWith({
        data: { programs: null },
        errors: [
          {
            message: 'Invalid cursor.',
            path: ['programs'],
            extensions: { code: 'BAD_USER_INPUT', stacktrace: ['x'] },
          },
        ],
      });
      const coded = await stack.post({ query: '{ programs { items { id } } }' });
      expect(coded.body.errors?.[0]).toMatchObject({
        message: 'Invalid cursor.',
        path: ['programs'],
        extensions: { code: 'BAD_USER_INPUT', service: 'programs' },
      });
      expectNothingInternal(coded);

      stack.taps.programs.answerWith('<html>502 Bad Gateway</html>');
      const garbage = await stack.post({ query: '{ programs { items { id } } }' });
      expect(garbage.body.errors?.[0]?.extensions?.['code']).toBe('SUBGRAPH_BAD_RESPONSE');
      expectNothingInternal(garbage);
    } finally {
      stack.taps.programs.answerWith(undefined);
    }
  });

  it('answers bad requests without internals', async () => {
    for (const answer of [
      await stack.post({ query: '{ programs { items { id } ' }),
      await stack.post({ query: '{ nothing }' }),
      await stack.post({
        query: 'query Q($n: Int!) { programs(limit: $n) { nextCursor } }',
        variables: { n: 'x' },
      }),
      await stack.post('not an object'),
    ]) {
      expect(answer.status).toBe(400);
      expect(answer.body.errors?.length).toBeGreaterThan(0);
      expectNothingInternal(answer);
    }
  });
});
