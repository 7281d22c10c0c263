// The gateway's schema: the services' subschemas stitched with type merging. Every subgraph type
// with a batch lookup `<x>ByIds(ids: [ID!]!): [T]!` (the contracts' stitching convention) is
// merged on `id` through it, batched (one lookup call for all the keys of one level), and each
// subschema batches the requests made to it in one tick into one HTTP call (`batch: true`).
import { stitchSchemas } from '@graphql-tools/stitch';
import type { SubschemaConfig, MergedTypeConfig } from '@graphql-tools/delegate';
import type { Executor } from '@graphql-tools/utils';
import {
  buildSchema,
  getNamedType,
  getNullableType,
  isListType,
  isObjectType,
  type GraphQLSchema,
} from 'graphql';

export interface SubgraphSchema {
  name: string;
  sdl: string;
  executor: Executor;
}

/** Merge config for every type the subgraph can look up by ids. */
export function mergeConfigOf(schema: GraphQLSchema): Record<string, MergedTypeConfig> {
  const merge: Record<string, MergedTypeConfig> = {};
  const query = schema.getQueryType();
  for (const field of Object.values(query?.getFields() ?? {})) {
    if (!field.name.endsWith('ByIds') || field.args.length !== 1 || field.args[0]!.name !== 'ids') continue;
    const returned = getNullableType(field.type);
    const type = getNamedType(field.type);
    if (!isListType(returned) || !isObjectType(type) || !type.getFields()['id']) continue;
    merge[type.name] = {
      selectionSet: '{ id }',
      fieldName: field.name,
      key: (original: { id: string }) => original.id,
      argsFromKeys: (ids: readonly string[]) => ({ ids }),
    };
  }
  return merge;
}

export function buildStitchedSchema(subgraphs: readonly SubgraphSchema[]): GraphQLSchema {
  const subschemas = subgraphs.map((subgraph): SubschemaConfig => {
    const schema = buildSchema(subgraph.sdl);
    return {
      name: subgraph.name,
      schema,
      executor: subgraph.executor,
      batch: true,
      merge: mergeConfigOf(schema),
    };
  });
  return stitchSchemas({ subschemas, mergeTypes: true });
}
