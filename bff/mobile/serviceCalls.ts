// Calls to the services through the gateway's upstream client (its protection applies), on behalf
// of the phone's user: the user's bearer token goes along (the services verify it themselves),
// and each call has its own deadline.
import type { Request } from '@hapi/hapi';
import type { GatewayContext } from '../../contracts/plugin.ts';
import type { MobileBffOptions } from './schema.ts';

export type ServiceName = keyof MobileBffOptions['upstreams'];

/** A service answered with a status the screen cannot use; `problem` is its problem+json body. */
export class ServiceError extends Error {
  constructor(
    readonly service: ServiceName,
    readonly status: number,
    readonly problem: Record<string, unknown> | undefined,
  ) {
    super(`${service} answered ${status}`);
  }
  /** The caller's own fault (bad id, not found, conflict): shown to the phone, never replaced by a stale copy. */
  get isClientError(): boolean {
    return this.status >= 400 && this.status < 500 && this.status !== 408 && this.status !== 429;
  }
}

export interface ServiceCall {
  method?: string;
  path: string;
  json?: unknown;
  /** The handler route on whose behalf the call is made (metrics, per-route pipeline). */
  routeId: string;
  /**
   * Tie the call to the phone's connection (default): when the phone goes away the call is
   * aborted. Replayed actions pass false: once started, an action is finished and recorded.
   */
  followClient?: boolean;
}

export type CallService = <T>(request: Request, service: ServiceName, call: ServiceCall) => Promise<T>;

export function serviceCaller(portico: GatewayContext, options: MobileBffOptions): CallService {
  return async <T>(request: Request, service: ServiceName, call: ServiceCall): Promise<T> => {
    const context = portico.exchangeContext(request);
    const deadline = AbortSignal.timeout(options.deadline);
    const signal = call.followClient === false ? deadline : AbortSignal.any([context.signal, deadline]);
    const authorization = request.headers.authorization as string | undefined;
    const reply = await portico.upstream(options.upstreams[service], call.routeId).json<T>({
      method: call.method ?? 'GET',
      path: call.path,
      json: call.json,
      headers: { authorization, accept: 'application/json' },
      caller: context.caller,
      requestId: context.requestId,
      trace: context.trace,
      signal,
      timeout: options.deadline,
    });
    if (reply.status >= 300) {
      const problem =
        typeof reply.data === 'object' && reply.data !== null
          ? (reply.data as Record<string, unknown>)
          : undefined;
      throw new ServiceError(service, reply.status, problem);
    }
    return reply.data;
  };
}
