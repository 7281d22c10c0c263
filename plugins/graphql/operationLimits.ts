// The static limits on an operation, checked once per document (then cached with it): tokens
// while parsing (graphql-armor's counting parser), depth, aliases and directives (graphql-armor's
// validation rules), root fields, and introspection when it is off. Each refusal is a GraphQL
// error with a code of its own, reported before anything is executed.
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import { MaxTokensParserWLexer } from '@escape.tech/graphql-armor-max-tokens';
import {
  GraphQLError,
  Kind,
  specifiedRules,
  type ASTVisitor,
  type DocumentNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import type { Limits } from './schema.ts';

export const LIMIT_CODES = {
  tokens: 'TOKEN_LIMIT_EXCEEDED',
  depth: 'DEPTH_LIMIT_EXCEEDED',
  aliases: 'ALIAS_LIMIT_EXCEEDED',
  directives: 'DIRECTIVE_LIMIT_EXCEEDED',
  rootFields: 'ROOT_FIELD_LIMIT_EXCEEDED',
  cost: 'COST_LIMIT_EXCEEDED',
  batch: 'BATCH_LIMIT_EXCEEDED',
  introspection: 'INTROSPECTION_DISABLED',
} as const;

export const PARSE_FAILED = 'GRAPHQL_PARSE_FAILED';
export const VALIDATION_FAILED = 'GRAPHQL_VALIDATION_FAILED';

/** Parses with the token limit; a refusal or a syntax error comes back as one coded error. */
export function parseLimited(query: string, maxTokens: number): DocumentNode | GraphQLError {
  let exceeded = false;
  try {
    return new MaxTokensParserWLexer(query, {
      n: maxTokens,
      exposeLimits: true,
      onReject: [() => (exceeded = true)],
      onAccept: [],
      propagateOnRejection: true,
      noLocation: false,
    }).parseDocument();
  } catch (error) {
    if (exceeded)
      return new GraphQLError(`The operation has more than ${maxTokens} tokens.`, {
        extensions: { code: LIMIT_CODES.tokens },
      });
    if (error instanceof GraphQLError)
      return new GraphQLError(error.message, {
        extensions: { code: PARSE_FAILED },
        source: error.source,
        positions: error.positions,
      });
    throw error;
  }
}

/** graphql-armor reports through a callback; this turns its refusal into an error with our code. */
function armored(code: string, message: (limit: number) => string, limit: number) {
  return {
    n: limit,
    exposeLimits: true,
    propagateOnRejection: false,
    onAccept: [],
    onReject: [
      (context: ValidationContext | null) =>
        context?.reportError(new GraphQLError(message(limit), { extensions: { code } })),
    ],
  };
}

function rootFieldsRule(limit: number): ValidationRule {
  return (context): ASTVisitor => {
    const countRoot = (selectionSet: SelectionSetNode, seen: Set<string>): number => {
      let fields = 0;
      for (const selection of selectionSet.selections) {
        if (selection.kind === Kind.FIELD) fields += 1;
        else if (selection.kind === Kind.INLINE_FRAGMENT) fields += countRoot(selection.selectionSet, seen);
        else if (!seen.has(selection.name.value)) {
          seen.add(selection.name.value);
          const fragment = context.getFragment(selection.name.value);
          if (fragment) fields += countRoot(fragment.selectionSet, seen);
        }
      }
      return fields;
    };
    return {
      OperationDefinition(operation) {
        const fields = countRoot(operation.selectionSet, new Set());
        if (fields > limit)
          context.reportError(
            new GraphQLError(`The operation selects ${fields} root fields; at most ${limit} are allowed.`, {
              nodes: [operation],
              extensions: { code: LIMIT_CODES.rootFields },
            }),
          );
      },
    };
  };
}

// __typename stays allowed: clients need it, and it tells nothing about the schema.
function introspectionOff(context: ValidationContext): ASTVisitor {
  return {
    Field(node) {
      if (node.name.value === '__schema' || node.name.value === '__type')
        context.reportError(
          new GraphQLError('Introspection is disabled on this endpoint.', {
            nodes: [node],
            extensions: { code: LIMIT_CODES.introspection },
          }),
        );
    },
  };
}

/** The validation rules of one endpoint: the spec's, then its limits. */
export function validationRules(limits: Limits, introspection: boolean): ValidationRule[] {
  return [
    ...specifiedRules,
    maxDepthRule({
      ...armored(LIMIT_CODES.depth, (n) => `The operation is nested deeper than ${n} levels.`, limits.depth),
      ignoreIntrospection: introspection,
      flattenFragments: true,
    }),
    maxAliasesRule(
      armored(LIMIT_CODES.aliases, (n) => `The operation uses more than ${n} aliases.`, limits.aliases),
    ),
    maxDirectivesRule(
      armored(
        LIMIT_CODES.directives,
        (n) => `The operation uses more than ${n} directives.`,
        limits.directives,
      ),
    ),
    rootFieldsRule(limits.rootFields),
    ...(introspection ? [] : [introspectionOff]),
  ];
}
