// A route's upstream pipeline, composed once when the route is built (hapi's route.js way): each
// step gets the exchange and the rest of the pipeline, so a request allocates no closures here.
import type { UpstreamExchange, UpstreamInterceptor, UpstreamReply } from '../../contracts/upstream.ts';

export type Pipeline = (exchange: UpstreamExchange) => Promise<UpstreamReply>;

export function composePipeline(steps: readonly UpstreamInterceptor[], transport: Pipeline): Pipeline {
  let rest = transport;
  for (let index = steps.length - 1; index >= 0; index--) {
    const step = steps[index]!;
    const next = rest;
    rest = (exchange) => step(exchange, next);
  }
  return rest;
}
