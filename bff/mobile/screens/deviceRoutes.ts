// POST /mobile/v1/devices registers a push token (platform, app version); DELETE removes it.
// POST /mobile/v1/appointments books online (one `book` action: an Idempotency-Key header makes a
// retried booking answer the first result).
import { randomUUID } from 'node:crypto';
import Boom from '@hapi/boom';
import { z } from 'zod';
import type { HandlerRoute } from '../../../contracts/plugin.ts';
import type { actionReplayer } from '../replay/replayActions.ts';
import { userIdOf, type ScreenDeps } from './screenDeps.ts';

const DeviceBody = z.strictObject({
  token: z.string().min(1).max(4096),
  platform: z.enum(['ios', 'android']),
  appVersion: z.string().max(64).optional(),
});
const BookBody = z.strictObject({
  type: z.string().trim().min(1).max(64),
  startsAt: z.iso.datetime({ offset: true }),
  notes: z.string().max(2000).optional(),
});
const IdParams = z.object({ id: z.uuid() });

function parse<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw Boom.badRequest(`Invalid ${what}: ${issue.path.join('.') || '(body)'}: ${issue.message}`);
  }
  return parsed.data;
}

export function deviceRoutes(deps: ScreenDeps, replay: ReturnType<typeof actionReplayer>): HandlerRoute[] {
  const { call } = deps;
  const small = { mode: 'buffer', maxBytes: 16 * 1024, parse: true } as const;
  return [
    {
      id: 'mobile.devices.register',
      method: 'POST',
      path: '/mobile/v1/devices',
      auth: 'required',
      body: small,
      async handler(request, h) {
        const body = parse(DeviceBody, request.payload, 'device');
        const device = await call<{ id: string; platform: 'ios' | 'android' }>(request, 'appointments', {
          routeId: 'mobile.devices.register',
          method: 'POST',
          path: '/devices',
          json: body,
        });
        return h.response({ id: device.id, platform: device.platform }).code(201);
      },
    },
    {
      id: 'mobile.devices.remove',
      method: 'DELETE',
      path: '/mobile/v1/devices/{id}',
      auth: 'required',
      async handler(request, h) {
        const { id } = parse(IdParams, request.params, 'path');
        await call(request, 'appointments', {
          routeId: 'mobile.devices.remove',
          method: 'DELETE',
          path: `/devices/${id}`,
        });
        return h.response().code(204);
      },
    },
    {
      id: 'mobile.appointments.book',
      method: 'POST',
      path: '/mobile/v1/appointments',
      auth: 'required',
      body: small,
      async handler(request, h) {
        const body = parse(BookBody, request.payload, 'booking');
        const header: unknown = request.headers['idempotency-key'];
        const key = typeof header === 'string' && header.length >= 8 ? header.slice(0, 200) : randomUUID();
        const [answer] = await replay(request, userIdOf(deps, request), {
          actions: [
            {
              key,
              type: 'book',
              at: new Date().toISOString(),
              serviceType: body.type,
              startsAt: body.startsAt,
              notes: body.notes,
            },
          ],
        });
        const outcome = answer!.status === 'duplicate' ? answer!.original! : answer!;
        if (outcome.status === 'applied')
          return h.response(outcome.result).code(answer!.status === 'duplicate' ? 200 : 201);
        const status = outcome.problem?.status ?? 503;
        throw new Boom.Boom(outcome.problem?.title ?? 'Not booked.', { statusCode: status });
      },
    },
  ];
}
