// A cost estimate with list multipliers (graphql-armor's cost rule has none): every object a field
// may return costs 1, times the sizes of the lists around it. A list's size is its own
// limit/first/last argument or the length of its `ids`, else the size argument of the field that
// holds it (a page's `limit` sizes its `items`), else the schema default of that argument, else
// `defaultListSize`. Variables count, so it runs per request (cheap: one walk of the document).
import {
  getNamedType,
  getNullableType,
  isCompositeType,
  isListType,
  isObjectType,
  isInterfaceType,
  Kind,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';

const SIZE_ARGUMENTS = ['limit', 'first', 'last'];

function valueOf(node: ValueNode, variables: Record<string, unknown>): unknown {
  if (node.kind === Kind.VARIABLE) return variables[node.name.value];
  if (node.kind === Kind.INT) return Number(node.value);
  if (node.kind === Kind.LIST) return node.values;
  return undefined;
}

/** The list size a field asks for, when it says. */
function sizeOf(
  field: FieldNode,
  definition: GraphQLField<unknown, unknown>,
  variables: Record<string, unknown>,
): number | undefined {
  for (const argument of field.arguments ?? []) {
    const value = valueOf(argument.value, variables);
    if (SIZE_ARGUMENTS.includes(argument.name.value) && typeof value === 'number') return Math.max(value, 0);
    if (argument.name.value === 'ids' && Array.isArray(value)) return value.length;
  }
  for (const argument of definition.args) {
    if (SIZE_ARGUMENTS.includes(argument.name) && typeof argument.defaultValue === 'number')
      return argument.defaultValue;
  }
  return undefined;
}

export function estimateCost(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  fragments: Record<string, FragmentDefinitionNode>,
  variables: Record<string, unknown>,
  defaultListSize: number,
): number {
  const root = schema.getRootType(operation.operation);
  if (!root) return 0;

  const walk = (
    selectionSet: SelectionSetNode,
    parent: GraphQLCompositeType,
    multiplier: number,
    carried: number | undefined,
    path: readonly string[],
  ): number => {
    let cost = 0;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition
          ? (schema.getType(selection.typeCondition.name.value) as GraphQLCompositeType | undefined)
          : parent;
        if (type) cost += walk(selection.selectionSet, type, multiplier, carried, path);
        continue;
      }
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const name = selection.name.value;
        const fragment = fragments[name];
        // A fragment spread inside itself is refused by validation; guard anyway.
        if (!fragment || path.includes(name)) continue;
        const type = schema.getType(fragment.typeCondition.name.value) as GraphQLCompositeType | undefined;
        if (type) cost += walk(fragment.selectionSet, type, multiplier, carried, [...path, name]);
        continue;
      }
      if (selection.name.value.startsWith('__')) continue;
      if (!isObjectType(parent) && !isInterfaceType(parent)) continue;
      const definition = parent.getFields()[selection.name.value];
      if (!definition) continue;
      const type = getNamedType(definition.type);
      if (!isCompositeType(type) || !selection.selectionSet) continue;
      const size = sizeOf(selection, definition, variables);
      const isList = isListType(getNullableType(definition.type));
      const objects = isList ? multiplier * (size ?? carried ?? defaultListSize) : multiplier;
      cost += objects + walk(selection.selectionSet, type, objects, isList ? undefined : size, path);
    }
    return cost;
  };
  return walk(operation.selectionSet, root, 1, undefined, []);
}
