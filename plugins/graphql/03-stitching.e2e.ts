// Done when: a query crossing three services returns the joined data, with one batched call per
// service for a list of 50 (counted at the services' door, not by the plugin).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedCampus, type Campus } from './testing/seedCampus.ts';
import { startGraphqlStack, type GraphqlStack } from './testing/startGraphqlStack.ts';

let stack: GraphqlStack;
let campus: Campus;

beforeAll(async () => {
  stack = await startGraphqlStack();
  campus = await seedCampus(stack.services, { appointments: 50, programs: 10, staff: 3, students: 4 });
}, 120_000);
afterAll(async () => stack?.stop());

const NESTED = /* GraphQL */ `
  query Agenda {
    appointments(limit: 50) {
      items {
        id
        startsAt
        program {
          title
        }
        staff {
          name
        }
        student {
          name
        }
      }
    }
  }
`;

describe('the stitched schema', () => {
  it('joins appointments, programs and identity with one batched call per service for 50 items', async () => {
    stack.resetCalls();
    const { status, body } = await stack.post({ query: NESTED }, { token: campus.admin });
    expect(body.errors).toBeUndefined();
    expect(status).toBe(200);
    const items = (
      body.data!['appointments'] as { items: Array<Record<string, { name?: string; title?: string }>> }
    ).items;
    expect(items).toHaveLength(50);
    for (const item of items) {
      expect(item['program']!.title).toMatch(/^Program \d$/);
      expect(item['staff']!.name).toMatch(/^Staff \d$/);
      expect(item['student']!.name).toMatch(/^Student \d$/);
    }
    // staff and student both go to identity: batch: true merges them into the one call.
    expect(stack.callCounts()).toEqual({ appointments: 1, programs: 1, identity: 1, resources: 0 });
    const [programsCall] = stack.taps.programs.graphqlCalls();
    expect(programsCall!.method).toBe('GET');
    expect(programsCall!.query).toContain('programsByIds');
  });

  it("a student sees their own appointments; identity withholds the staff member's fields from them (field-level rules stay in the services)", async () => {
    const student = campus.students[0]!;
    const { body } = await stack.post(
      { query: '{ appointments(limit: 50) { items { student { id name } staff { name } } } }' },
      { token: student.accessToken },
    );
    expect(body.errors).toBeUndefined();
    const items = (
      body.data!['appointments'] as { items: Array<{ student: { id: string }; staff: { name: unknown } }> }
    ).items;
    expect(items.length).toBeGreaterThan(0);
    for (const item of items) {
      expect(item.student.id).toBe(student.id);
      // The appointment names its staff member (the key), but identity answers null for them.
      expect(item.staff.name).toBeNull();
    }
  });

  it('needs a verified caller for services that need one, and refuses a forged token at the edge', async () => {
    const anonymous = await stack.post({ query: '{ appointments { items { id } } }' });
    expect(anonymous.status).toBe(200);
    expect(anonymous.body.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
    expect(anonymous.body.errors?.[0]?.path).toEqual(['appointments']);
    const forged = await stack.post({ query: '{ programs { items { id } } }' }, { token: 'a.b.c' });
    expect(forged.status).toBe(401);
  });
});
