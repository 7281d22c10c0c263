// Resource metadata and file versions.
import type { Queryable } from '../kit/index.ts';
import type { StoredBlob } from './blobs/localBlobStore.ts';

export interface Resource {
  id: string;
  title: string;
  description: string | null;
  contentType: string;
  size: number;
  version: number;
  etag: string;
  filename: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface ResourceFile {
  blobKey: string;
  size: number;
  etag: string;
  contentType: string;
  filename: string | null;
  createdAt: Date;
}

interface Row {
  id: string;
  title: string;
  description: string | null;
  content_type: string;
  size: string | number;
  version: number;
  sha256: string;
  filename: string | null;
  created_at: Date;
  updated_at: Date;
}

/** A strong ETag from the content hash: the same bytes always validate, across versions too. */
export const etagOf = (sha256: string) => `"${sha256}"`;

const SELECT = `select r.id, r.title, r.description, v.content_type, v.size, r.current_version as version,
                       v.sha256, v.filename, r.created_at, r.updated_at
                  from resources.resources r
                  join resources.resource_versions v on v.resource_id = r.id and v.version = r.current_version`;

function toResource(row: Row): Resource {
  return {
    id: row.id,
    title: row.title,
    description: row.description,
    contentType: row.content_type,
    size: Number(row.size),
    version: row.version,
    etag: etagOf(row.sha256),
    filename: row.filename,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export async function createResource(
  db: Queryable,
  input: {
    title: string;
    description?: string;
    createdBy: string;
    blob: StoredBlob;
    filename: string | null;
  },
): Promise<Resource> {
  const created = await db.query<{ id: string }>(
    `insert into resources.resources (title, description, created_by) values ($1, $2, $3) returning id`,
    [input.title, input.description ?? null, input.createdBy],
  );
  const id = (created.rows[0] as { id: string }).id;
  await insertVersion(db, id, 1, input.blob, input.filename, input.createdBy);
  return (await findResource(db, id)) as Resource;
}

async function insertVersion(
  db: Queryable,
  id: string,
  version: number,
  blob: StoredBlob,
  filename: string | null,
  by: string,
): Promise<void> {
  await db.query(
    `insert into resources.resource_versions (resource_id, version, blob_key, size, sha256, content_type, filename, created_by)
     values ($1, $2, $3, $4, $5, 'application/pdf', $6, $7)`,
    [id, version, blob.key, blob.size, blob.sha256, filename, by],
  );
}

export async function updateResource(
  db: Queryable,
  id: string,
  changes: {
    title?: string;
    description?: string | null;
    file?: { blob: StoredBlob; filename: string | null };
    by: string;
  },
): Promise<Resource | undefined> {
  const locked = await db.query<{ current_version: number }>(
    `select current_version from resources.resources where id = $1 for update`,
    [id],
  );
  const current = locked.rows[0];
  if (!current) return undefined;
  let version = current.current_version;
  if (changes.file) {
    version += 1;
    await insertVersion(db, id, version, changes.file.blob, changes.file.filename, changes.by);
  }
  await db.query(
    `update resources.resources set
        title = coalesce($2, title),
        description = case when $3::boolean then $4::text else description end,
        current_version = $5, updated_at = now()
      where id = $1`,
    [id, changes.title ?? null, changes.description !== undefined, changes.description ?? null, version],
  );
  return findResource(db, id);
}

export async function findResource(db: Queryable, id: string): Promise<Resource | undefined> {
  const result = await db.query<Row>(`${SELECT} where r.id = $1`, [id]);
  return result.rows[0] ? toResource(result.rows[0]) : undefined;
}

export async function findResourcesByIds(db: Queryable, ids: string[]): Promise<Resource[]> {
  const result = await db.query<Row>(`${SELECT} where r.id = any($1::uuid[])`, [ids]);
  return result.rows.map(toResource);
}

/** Newest first; `after` is the (createdAt, id) of the previous page's last item. */
export async function listResources(
  db: Queryable,
  limit: number,
  after?: [string, string],
): Promise<Resource[]> {
  const params: unknown[] = [limit];
  let keyset = '';
  if (after) {
    params.push(after[0], after[1]);
    keyset = 'where (r.created_at, r.id) < ($2::timestamptz, $3::uuid)';
  }
  const result = await db.query<Row>(
    `${SELECT} ${keyset} order by r.created_at desc, r.id desc limit $1`,
    params,
  );
  return result.rows.map(toResource);
}

/** The current file, or a given older version. */
export async function findFile(
  db: Queryable,
  id: string,
  version?: number,
): Promise<ResourceFile | undefined> {
  const result = await db.query<{
    blob_key: string;
    size: string | number;
    sha256: string;
    content_type: string;
    filename: string | null;
    created_at: Date;
  }>(
    `select v.blob_key, v.size, v.sha256, v.content_type, v.filename, v.created_at
       from resources.resources r join resources.resource_versions v on v.resource_id = r.id
      where r.id = $1 and v.version = coalesce($2, r.current_version)`,
    [id, version ?? null],
  );
  const row = result.rows[0];
  if (!row) return undefined;
  return {
    blobKey: row.blob_key,
    size: Number(row.size),
    etag: etagOf(row.sha256),
    contentType: row.content_type,
    filename: row.filename,
    createdAt: row.created_at,
  };
}

export interface ResourceEvent {
  id: number;
  resourceId: string;
  actorId: string;
  action: 'published' | 'updated';
  at: string;
  changes: Record<string, unknown>;
}

interface EventRow {
  id: string | number;
  resource_id: string;
  actor_id: string;
  action: 'published' | 'updated';
  at: Date;
  changes: Record<string, unknown> | string;
}

export async function recordResourceEvent(
  db: Queryable,
  event: { resourceId: string; actorId: string; action: 'published' | 'updated'; changes: object },
): Promise<void> {
  await db.query(
    `insert into resources.resource_events (resource_id, actor_id, action, changes) values ($1, $2, $3, $4)`,
    [event.resourceId, event.actorId, event.action, JSON.stringify(event.changes)],
  );
}

/** The audit log, newest first; `before` is the id of the previous page's last event. */
export async function listResourceEvents(
  db: Queryable,
  filter: { limit: number; before?: number; resourceId?: string; actorId?: string },
): Promise<ResourceEvent[]> {
  const result = await db.query<EventRow>(
    `select id, resource_id, actor_id, action, at, changes from resources.resource_events
      where ($2::bigint is null or id < $2)
        and ($3::uuid is null or resource_id = $3)
        and ($4::uuid is null or actor_id = $4)
      order by id desc limit $1`,
    [filter.limit, filter.before ?? null, filter.resourceId ?? null, filter.actorId ?? null],
  );
  return result.rows.map((row) => ({
    id: Number(row.id),
    resourceId: row.resource_id,
    actorId: row.actor_id,
    action: row.action,
    at: row.at.toISOString(),
    changes:
      typeof row.changes === 'string' ? (JSON.parse(row.changes) as Record<string, unknown>) : row.changes,
  }));
}
