// What every screen handler is built from.
import Boom from '@hapi/boom';
import type { Request } from '@hapi/hapi';
import type { z } from 'zod';
import type { GatewayContext } from '../../../contracts/plugin.ts';
import type { ScreenSender } from '../http/sendScreen.ts';
import type { SectionLoader } from '../loadSections.ts';
import type { MobileBffOptions } from '../schema.ts';
import type { CallService } from '../serviceCalls.ts';

export interface ScreenDeps {
  portico: GatewayContext;
  options: MobileBffOptions;
  call: CallService;
  sections: SectionLoader;
  send: ScreenSender;
}

/** The request's query through `schema`; a 400 naming the bad parameter otherwise. */
export function parseQuery<S extends z.ZodType>(schema: S, request: Request): z.output<S> {
  const parsed = schema.safeParse(request.query);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw Boom.badRequest(`Invalid query: ${issue.path.join('.') || '(query)'}: ${issue.message}`);
  }
  return parsed.data;
}

export function userIdOf(deps: ScreenDeps, request: Request): string {
  const userId = deps.portico.exchangeContext(request).caller.userId;
  if (!userId) throw Boom.unauthorized('A user token is required.', 'Bearer');
  return userId;
}

export const qs = (params: Record<string, string | number | boolean | undefined>): string => {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params))
    if (value !== undefined) search.set(name, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
};
