// What one GraphQL operation carries through the stitched schema to the subschema executors.
import type { Caller, UpstreamClient } from '../../contracts/upstream.ts';

export type SubgraphOutcome = 'ok' | 'errors' | 'unavailable' | 'timeout' | 'bad_response';

export interface OperationContext {
  /** The upstream client of this route for an upstream. */
  client(upstream: string): UpstreamClient;
  exchange: { caller: Caller; requestId: string; signal: AbortSignal };
  /** The client's bearer token, forwarded as on REST routes: services verify it themselves. */
  authorization: string | undefined;
  /** Subgraph calls made for this operation so far. */
  subgraphCalls: number;
  onSubgraphCall(subgraph: string, outcome: SubgraphOutcome): void;
}
