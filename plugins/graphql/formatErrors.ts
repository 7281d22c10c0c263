// What a client sees of an error. Request errors (syntax, validation, limits, persisted-query
// flow) are about the client's own document and keep their message. Execution errors keep theirs
// only when someone meant them for the client (a GraphQLError with a code, from the gateway or a
// service); anything else — an exception, a non-null violation, an uncoded subgraph error — becomes
// a generic message when masking is on. Never a stack, never an internal extension; always the
// request id.
import type { GraphQLError, GraphQLFormattedError } from 'graphql';

export const GENERIC_MESSAGE = 'Unexpected error.';

type Extensions = { code: string; service?: string; requestId: string } & Record<string, string>;

const stringOr = (value: unknown, fallback: string | undefined) =>
  typeof value === 'string' && value !== '' ? value : fallback;

export function formatRequestError(
  error: GraphQLError,
  requestId: string,
  fallbackCode: string,
): GraphQLFormattedError {
  return {
    message: error.message,
    ...(error.locations && { locations: error.locations }),
    extensions: { code: stringOr(error.extensions?.['code'], fallbackCode)!, requestId } satisfies Extensions,
  };
}

export function formatExecutionError(
  error: GraphQLError,
  requestId: string,
  mask: boolean,
): GraphQLFormattedError {
  const service = stringOr(error.extensions?.['service'], undefined);
  const code = stringOr(error.extensions?.['code'], undefined);
  const original = error.originalError;
  // A plain Error underneath (not a GraphQLError) was not written for the client.
  const intended =
    code !== undefined && (original === undefined || original === null || 'extensions' in original);
  const extensions: Extensions = {
    code: intended ? code : service ? 'SUBGRAPH_ERROR' : 'INTERNAL_SERVER_ERROR',
    ...(service && { service }),
    requestId,
  };
  return {
    message: intended || !mask ? error.message : GENERIC_MESSAGE,
    ...(error.locations && { locations: error.locations }),
    ...(error.path && { path: error.path }),
    extensions,
  };
}
