// What the mobile BFF needs beyond the booking API: the changes feed (delta sync), free slots,
// notices with read state, push devices.
// GET /appointments/changes, GET /slots, GET /notices, POST /notices/{id}/read,
// GET | POST /devices, DELETE /devices/{id}
import Boom from '@hapi/boom';
import type { ServerRoute } from '@hapi/hapi';
import { z } from 'zod';
import {
  BEARER_STRATEGY,
  decodeCursor,
  keysetPage,
  log,
  pageLimit,
  requirePrincipal,
  zodValidator,
} from '../../kit/index.ts';
import type { Database } from '../../kit/index.ts';
import { listChanges } from '../appointmentStore.ts';
import { countUnread, listNotices, markRead } from '../notices/noticeStore.ts';
import { deleteDevice, listDevices, upsertDevice } from '../push/deviceStore.ts';
import { freeSlots } from '../slots.ts';

const ChangesQuery = z.object({
  since: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
const SlotsQuery = z.object({
  serviceType: z.string().trim().min(1).max(64),
  date: z.iso.date(),
});
const NoticesQuery = z.object({
  limit: pageLimit,
  cursor: z.string().max(200).optional(),
  unread: z.stringbool().default(false),
});
const IdParams = z.object({ id: z.uuid() });
const DeviceBody = z.object({
  token: z.string().min(1).max(4096),
  platform: z.enum(['ios', 'android']),
  appVersion: z.string().max(64).optional(),
});

export function mobileRoutes(db: Database): ServerRoute[] {
  return [
    {
      method: 'GET',
      path: '/appointments/changes',
      options: { auth: BEARER_STRATEGY, validate: { query: zodValidator(ChangesQuery, 'query') } },
      async handler(request) {
        const { since, limit } = request.query as z.output<typeof ChangesQuery>;
        const rows = await listChanges(db, requirePrincipal(request), since, limit + 1);
        const items = rows.slice(0, limit);
        return {
          items: items.map(({ seq: _, ...appointment }) => appointment),
          cursor: items.length ? items[items.length - 1]!.seq : since,
          hasMore: rows.length > limit,
        };
      },
    },
    {
      method: 'GET',
      path: '/slots',
      options: { auth: BEARER_STRATEGY, validate: { query: zodValidator(SlotsQuery, 'query') } },
      async handler(request) {
        requirePrincipal(request);
        const { serviceType, date } = request.query as z.output<typeof SlotsQuery>;
        return { serviceType, date, slots: await freeSlots(db, serviceType, date, new Date()) };
      },
    },
    {
      method: 'GET',
      path: '/notices',
      options: { auth: BEARER_STRATEGY, validate: { query: zodValidator(NoticesQuery, 'query') } },
      async handler(request) {
        const user = requirePrincipal(request);
        const { limit, cursor, unread } = request.query as z.output<typeof NoticesQuery>;
        const after = cursor ? (decodeCursor(cursor) as [string, string]) : undefined;
        const rows = await listNotices(db, user.sub, { limit: limit + 1, unread, after });
        return {
          ...keysetPage(rows, limit, (row) => [row.createdAt, row.id]),
          unreadCount: await countUnread(db, user.sub),
        };
      },
    },
    {
      method: 'POST',
      path: '/notices/{id}/read',
      options: { auth: BEARER_STRATEGY, validate: { params: zodValidator(IdParams, 'path') } },
      async handler(request) {
        const user = requirePrincipal(request);
        const notice = await markRead(db, user.sub, (request.params as z.output<typeof IdParams>).id);
        if (!notice) throw Boom.notFound('No such notice.');
        return notice;
      },
    },
    {
      method: 'GET',
      path: '/devices',
      options: { auth: BEARER_STRATEGY },
      async handler(request) {
        return { items: await listDevices(db, requirePrincipal(request).sub) };
      },
    },
    {
      method: 'POST',
      path: '/devices',
      options: { auth: BEARER_STRATEGY, validate: { payload: zodValidator(DeviceBody, 'device') } },
      async handler(request, h) {
        const user = requirePrincipal(request);
        const body = request.payload as z.output<typeof DeviceBody>;
        const { device, created } = await upsertDevice(db, { ...body, userId: user.sub });
        if (created)
          log(request).info({ deviceId: device.id, platform: device.platform }, 'device registered');
        return h.response(device).code(created ? 201 : 200);
      },
    },
    {
      method: 'DELETE',
      path: '/devices/{id}',
      options: { auth: BEARER_STRATEGY, validate: { params: zodValidator(IdParams, 'path') } },
      async handler(request, h) {
        const user = requirePrincipal(request);
        const removed = await deleteDevice(db, user.sub, (request.params as z.output<typeof IdParams>).id);
        if (!removed) throw Boom.notFound('No such device.');
        return h.response().code(204);
      },
    },
  ];
}
