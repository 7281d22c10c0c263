import { buildSchema, Kind, parse, type FragmentDefinitionNode, type OperationDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { estimateCost } from './estimateCost.ts';

const schema = buildSchema(`
  type Program { id: ID! title: String! }
  type User { id: ID! name: String }
  type Appointment { id: ID! program: Program staff: User }
  type Page { items: [Appointment!]! nextCursor: String }
  type Query {
    appointments(limit: Int = 20): Page!
    programsByIds(ids: [ID!]!): [Program]!
    everything: [Program!]!
  }
`);

function cost(query: string, variables: Record<string, unknown> = {}): number {
  const document = parse(query);
  const operation = document.definitions.find(
    (definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION,
  )!;
  const fragments = Object.fromEntries(
    document.definitions
      .filter(
        (definition): definition is FragmentDefinitionNode => definition.kind === Kind.FRAGMENT_DEFINITION,
      )
      .map((fragment) => [fragment.name.value, fragment]),
  );
  return estimateCost(schema, operation, fragments, variables, 10);
}

describe('estimateCost', () => {
  it("multiplies a page's items by the page's limit", () => {
    expect(cost('{ appointments(limit: 50) { items { program { title } staff { name } } } }')).toBe(
      1 + 50 + 50 + 50,
    );
  });

  it('takes the limit from a variable, else the argument default, else the default list size', () => {
    expect(cost('query Q($n: Int) { appointments(limit: $n) { items { id } } }', { n: 7 })).toBe(1 + 7);
    expect(cost('{ appointments { items { id } } }')).toBe(1 + 20);
    expect(cost('{ everything { id } }')).toBe(10);
  });

  it('sizes a batch lookup by its ids and counts fragments and aliases', () => {
    expect(cost('{ programsByIds(ids: ["a", "b", "c"]) { id } }')).toBe(3);
    expect(cost('{ a: everything { ...P } b: everything { ...P } } fragment P on Program { id }')).toBe(20);
  });
});
