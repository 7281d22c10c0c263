// GET /resources, /resources/{id}, /resources/{id}/download; POST /resources; PUT /resources/{id};
// GET /resources/events (the audit log, admin)
import Boom from '@hapi/boom';
import type { Request, ResponseToolkit, RouteOptionsPayload, ServerRoute } from '@hapi/hapi';
import { z } from 'zod';
import {
  badRequest,
  BEARER_STRATEGY,
  decodeCursor,
  keysetPage,
  log,
  pageLimit,
  requirePrincipal,
  requireRole,
  zodValidator,
} from '../../kit/index.ts';
import type { Database } from '../../kit/index.ts';
import type { LocalBlobStore } from '../blobs/localBlobStore.ts';
import {
  createResource,
  findFile,
  findResource,
  listResourceEvents,
  listResources,
  recordResourceEvent,
  updateResource,
} from '../resourceStore.ts';
import { planDownload } from './conditionalRange.ts';

export const MAX_PDF_BYTES = 100 * 1024 * 1024;
const PDF_MAGIC = Buffer.from('%PDF-');

interface UploadedFile {
  path: string;
  bytes: number;
  filename?: string;
}

const IdParams = z.object({ id: z.uuid() });
const ListQuery = z.object({ limit: pageLimit, cursor: z.string().max(200).optional() });
const EventsQuery = z.object({
  limit: pageLimit,
  cursor: z.string().max(200).optional(),
  resourceId: z.uuid().optional(),
  actorId: z.uuid().optional(),
});
const DownloadQuery = z.object({ version: z.coerce.number().int().positive().optional() });
const Metadata = z.object({
  title: z.string().trim().min(1).max(200),
  description: z.string().trim().max(5000).optional(),
});
const MetadataChanges = z
  .object({
    title: z.string().trim().min(1).max(200).optional(),
    description: z.string().trim().max(5000).nullable().optional(),
  })
  .strict();

/** Checked before the payload is read, so a student's 100 MB upload is refused without reading it. */
const publisherOnly = { strategy: BEARER_STRATEGY, access: { scope: ['staff', 'admin'] } };

function isUploadedFile(value: unknown): value is UploadedFile {
  return typeof value === 'object' && value !== null && typeof (value as UploadedFile).path === 'string';
}

/** Every uploaded temp file in a multipart payload, so none is left behind whatever happens. */
function uploadedFiles(payload: unknown): UploadedFile[] {
  if (typeof payload !== 'object' || payload === null) return [];
  return Object.values(payload).flat().filter(isUploadedFile);
}

function parseFields<S extends z.ZodType>(
  schema: S,
  payload: Record<string, unknown>,
  what: string,
): z.output<S> {
  const fields = Object.fromEntries(Object.entries(payload).filter(([, value]) => typeof value === 'string'));
  return zodValidator(schema, what)(fields);
}

export function resourceRoutes(db: Database, blobs: LocalBlobStore): ServerRoute[] {
  const uploadPayload = (allow: string[]): RouteOptionsPayload => ({
    allow,
    output: 'data',
    parse: true,
    // Files stream to disk next to the blob store; only the small text fields are kept in memory.
    multipart: { output: 'file' },
    uploads: blobs.incomingDir,
    maxBytes: MAX_PDF_BYTES + 1024 * 1024,
    timeout: 10 * 60_000,
  });

  /** Checks the file is a PDF by its magic bytes and moves it into the blob store. */
  const acceptPdf = async (file: UploadedFile) => {
    if (file.bytes > MAX_PDF_BYTES)
      throw Boom.entityTooLarge(`The file is larger than ${MAX_PDF_BYTES} bytes.`);
    const head = await blobs.head(file.path, PDF_MAGIC.length);
    if (!head.equals(PDF_MAGIC)) throw new Boom.Boom('The file is not a PDF.', { statusCode: 415 });
    return { blob: await blobs.adopt(file.path), filename: file.filename?.slice(0, 255) || null };
  };

  return [
    {
      method: 'POST',
      path: '/resources',
      options: { auth: publisherOnly, payload: uploadPayload(['multipart/form-data']) },
      async handler(request: Request, h: ResponseToolkit) {
        const payload = (request.payload ?? {}) as Record<string, unknown>;
        const files = uploadedFiles(payload);
        try {
          const author = requireRole(request, 'staff', 'admin');
          const metadata = parseFields(Metadata, payload, 'resource');
          const file = payload.file;
          if (!isUploadedFile(file))
            throw badRequest('Invalid resource: file: a PDF file part named "file" is required.');
          const { blob, filename } = await acceptPdf(file);
          const resource = await db.transaction(async (tx) => {
            const created = await createResource(tx, { ...metadata, createdBy: author.sub, blob, filename });
            await recordResourceEvent(tx, {
              resourceId: created.id,
              actorId: author.sub,
              action: 'published',
              changes: { ...metadata, filename, size: created.size },
            });
            return created;
          });
          log(request).info({ resourceId: resource.id, size: resource.size }, 'resource published');
          return h.response(resource).code(201);
        } finally {
          await Promise.all(files.map((file) => blobs.discard(file.path)));
        }
      },
    },
    {
      method: 'PUT',
      path: '/resources/{id}',
      options: {
        auth: publisherOnly,
        payload: uploadPayload(['application/json', 'multipart/form-data']),
        validate: { params: zodValidator(IdParams, 'path') },
      },
      async handler(request: Request) {
        const payload = (request.payload ?? {}) as Record<string, unknown>;
        const files = uploadedFiles(payload);
        try {
          const author = requireRole(request, 'staff', 'admin');
          const { id } = request.params as z.output<typeof IdParams>;
          const isMultipart = String(request.headers['content-type']).startsWith('multipart/');
          const changes = isMultipart
            ? parseFields(MetadataChanges.strip(), payload, 'resource')
            : zodValidator(MetadataChanges, 'resource')(payload);
          if (!(await findResource(db, id))) throw Boom.notFound('No such resource.');
          const file =
            isMultipart && isUploadedFile(payload.file) ? await acceptPdf(payload.file) : undefined;
          if (!file && changes.title === undefined && changes.description === undefined) {
            throw badRequest('Nothing to change: send title, description or a new file.');
          }
          const updated = await db.transaction(async (tx) => {
            const result = await updateResource(tx, id, { ...changes, file, by: author.sub });
            if (result)
              await recordResourceEvent(tx, {
                resourceId: id,
                actorId: author.sub,
                action: 'updated',
                changes: { ...changes, ...(file && { filename: file.filename, version: result.version }) },
              });
            return result;
          });
          if (!updated) throw Boom.notFound('No such resource.');
          log(request).info({ resourceId: id, version: updated.version }, 'resource updated');
          return updated;
        } finally {
          await Promise.all(files.map((file) => blobs.discard(file.path)));
        }
      },
    },
    {
      method: 'GET',
      path: '/resources',
      options: { auth: BEARER_STRATEGY, validate: { query: zodValidator(ListQuery, 'query') } },
      async handler(request) {
        requirePrincipal(request);
        const { limit, cursor } = request.query as z.output<typeof ListQuery>;
        const after = cursor ? (decodeCursor(cursor) as [string, string]) : undefined;
        const rows = await listResources(db, limit + 1, after);
        return keysetPage(rows, limit, (row) => [row.createdAt, row.id]);
      },
    },
    {
      method: 'GET',
      path: '/resources/events',
      options: { auth: BEARER_STRATEGY, validate: { query: zodValidator(EventsQuery, 'query') } },
      async handler(request) {
        requireRole(request, 'admin');
        const { limit, cursor, resourceId, actorId } = request.query as z.output<typeof EventsQuery>;
        const before = cursor ? (decodeCursor(cursor) as [number]) : undefined;
        const rows = await listResourceEvents(db, {
          limit: limit + 1,
          before: before?.[0],
          resourceId,
          actorId,
        });
        return keysetPage(rows, limit, (row) => [row.id]);
      },
    },
    {
      method: 'GET',
      path: '/resources/{id}',
      options: { auth: BEARER_STRATEGY, validate: { params: zodValidator(IdParams, 'path') } },
      async handler(request) {
        requirePrincipal(request);
        const resource = await findResource(db, (request.params as z.output<typeof IdParams>).id);
        if (!resource) throw Boom.notFound('No such resource.');
        return resource;
      },
    },
    {
      method: 'GET',
      path: '/resources/{id}/download',
      options: {
        auth: BEARER_STRATEGY,
        validate: { params: zodValidator(IdParams, 'path'), query: zodValidator(DownloadQuery, 'query') },
      },
      async handler(request: Request, h: ResponseToolkit) {
        requirePrincipal(request);
        const { id } = request.params as z.output<typeof IdParams>;
        const { version } = request.query as z.output<typeof DownloadQuery>;
        const file = await findFile(db, id, version);
        if (!file) throw Boom.notFound(version ? 'No such resource or version.' : 'No such resource.');
        const header = (name: string) => {
          const value: unknown = request.headers[name];
          return typeof value === 'string' ? value : undefined;
        };
        const plan = planDownload(
          { ifNoneMatch: header('if-none-match'), range: header('range'), ifRange: header('if-range') },
          file.etag,
          file.size,
        );
        const common = (response: ReturnType<ResponseToolkit['response']>) =>
          response
            .header('etag', file.etag)
            .header('accept-ranges', 'bytes')
            .header('last-modified', file.createdAt.toUTCString())
            // Private and revalidated: the app keeps its offline copy and asks with If-None-Match.
            .header('cache-control', 'private, no-cache');
        if (plan.kind === 'not-modified') return common(h.response().code(304));
        if (plan.kind === 'unsatisfiable') {
          const error = Boom.rangeNotSatisfiable('The requested range is outside the file.');
          error.output.headers['Content-Range'] = `bytes */${file.size}`;
          throw error;
        }
        const disposition = `inline; filename="${(file.filename ?? `${id}.pdf`).replace(/["\\\r\n]/g, '_')}"`;
        if (plan.kind === 'partial') {
          return common(h.response(blobs.read(file.blobKey, { start: plan.start, end: plan.end })))
            .code(206)
            .type(file.contentType)
            .header('content-range', `bytes ${plan.start}-${plan.end}/${file.size}`)
            .header('content-length', String(plan.end - plan.start + 1))
            .header('content-disposition', disposition);
        }
        return common(h.response(blobs.read(file.blobKey)))
          .code(200)
          .type(file.contentType)
          .header('content-length', String(file.size))
          .header('content-disposition', disposition);
      },
    },
  ];
}
