// The config history on the admin listener (every route here needs the admin token):
//   POST /config/versions          push { config | yaml, message, author? }: 201 applied, 200 unchanged,
//                                  422 problem+json naming each bad key (nothing changed, nothing appended)
//   GET  /config/versions          the history, newest first (?limit, ?before)
//   GET  /config/versions/{ref}    one version (number, hash or hash prefix) with its document and acks
//   GET  /config/diff/{from}/{to}  what changed, key path by key path
//   POST /config/rollback          { to, message?, author? }: a new version with exactly that document
//   GET  /config/instances         per instance: the version it runs, when applied, or its NACK
//   GET  /config/audit             the audit trail (?limit)
import type { Request, ResponseToolkit, ServerRoute } from '@hapi/hapi';
import { problem, PROBLEM_CONTENT_TYPE } from '../../contracts/problem.ts';
import { actorOf } from '../admin/auditAdminChanges.ts';
import { ConfigError } from '../config/configIssues.ts';
import { parseYaml } from '../config/loadConfigFile.ts';
import type { AcceptResult, VersionAgent } from './createVersionAgent.ts';
import { diffDocuments } from './diffDocuments.ts';
import type { ConfigVersion, VersionMeta } from './versionRecord.ts';
import { VersionStoreError } from './versionStore.ts';

const MAX_PUSH_BYTES = 5 * 1024 * 1024;
/** Pushes write their own audit events (with the version), not the admin server's generic one. */
const AUDITED = { audited: true };

export function metaOf(version: ConfigVersion): VersionMeta {
  const { document: _document, ...meta } = version;
  return meta;
}

const fail = (h: ResponseToolkit, status: number, title: string, detail: string, extra = {}) =>
  h
    .response({ ...problem(status, title, detail), ...extra })
    .code(status)
    .type(PROBLEM_CONTENT_TYPE);

const text = (value: unknown) => (typeof value === 'string' ? value : undefined);

export function versionAdminRoutes(agent: VersionAgent): ServerRoute[] {
  const { store } = agent;

  const answer = (h: ResponseToolkit, result: AcceptResult) => {
    const notes = {
      ...(result.ignored.length ? { ignored: result.ignored } : {}),
      ...(result.warnings.length ? { warnings: result.warnings } : {}),
    };
    if (result.outcome === 'refused')
      return fail(
        h,
        422,
        'Unprocessable Content',
        'invalid config: nothing changed, the running config stays',
        {
          issues: result.issues,
          ...notes,
        },
      );
    if (result.outcome === 'unchanged')
      return h
        .response({ unchanged: true, version: result.version && metaOf(result.version), ...notes })
        .code(200);
    return h.response({ version: metaOf(result.version), ack: result.ack, ...notes }).code(201);
  };

  const guarded =
    (handler: (request: Request, h: ResponseToolkit) => Promise<unknown>) =>
    async (request: Request, h: ResponseToolkit) => {
      try {
        return await handler(request, h);
      } catch (error) {
        if (error instanceof VersionStoreError)
          return fail(h, 503, 'Service Unavailable', `${error.message}; nothing changed`);
        throw error;
      }
    };

  return [
    {
      method: 'POST',
      path: '/config/versions',
      options: { app: AUDITED, payload: { maxBytes: MAX_PUSH_BYTES } },
      handler: guarded(async (request, h) => {
        const body = (request.payload ?? {}) as Record<string, unknown>;
        const message = text(body.message)?.trim();
        if (!message) return fail(h, 400, 'Bad Request', 'message: say what this version changes');
        let document = body.config;
        if (document === undefined && typeof body.yaml === 'string') {
          try {
            document = parseYaml(body.yaml);
          } catch (error) {
            if (!(error instanceof ConfigError)) throw error;
            return fail(h, 422, 'Unprocessable Content', 'the YAML does not parse: nothing changed', {
              issues: error.issues,
            });
          }
        }
        if (document === undefined)
          return fail(h, 400, 'Bad Request', 'config: the document to push (or yaml: its text)');
        const author = text(body.author) ?? actorOf(request);
        return answer(h, await agent.accept(document, { author, message, source: 'push' }));
      }),
    },
    {
      method: 'GET',
      path: '/config/versions',
      handler: guarded(async (request) => {
        const limit = clamp(request.query.limit, 50, 1000);
        const before = /^\d+$/.test(String(request.query.before)) ? Number(request.query.before) : undefined;
        const versions = await store.list(limit, before);
        const current = agent.current();
        return { store: store.describe, current: current && metaOf(current), versions: versions.map(metaOf) };
      }),
    },
    {
      method: 'GET',
      path: '/config/versions/{ref}',
      handler: guarded(async (request, h) => {
        const version = await agent.find(request.params.ref as string);
        if (!version) return fail(h, 404, 'Not Found', `no version ${request.params.ref as string}`);
        return { version, acks: await store.acks(version.number) };
      }),
    },
    {
      method: 'GET',
      path: '/config/diff/{from}/{to}',
      handler: guarded(async (request, h) => {
        const [from, to] = await Promise.all([
          agent.find(request.params.from as string),
          agent.find(request.params.to as string),
        ]);
        if (!from || !to)
          return fail(
            h,
            404,
            'Not Found',
            `no version ${!from ? (request.params.from as string) : (request.params.to as string)}`,
          );
        return { from: metaOf(from), to: metaOf(to), changes: diffDocuments(from.document, to.document) };
      }),
    },
    {
      method: 'POST',
      path: '/config/rollback',
      options: { app: AUDITED },
      handler: guarded(async (request, h) => {
        const body = (request.payload ?? {}) as Record<string, unknown>;
        const to = typeof body.to === 'number' ? String(body.to) : text(body.to);
        if (!to) return fail(h, 400, 'Bad Request', 'to: the version number or hash to roll back to');
        const target = await agent.find(to);
        if (!target) return fail(h, 404, 'Not Found', `no version ${to}`);
        const result = await agent.rollback(String(target.number), {
          author: text(body.author) ?? actorOf(request),
          message: text(body.message)?.trim() || `rollback to version ${target.number}`,
        });
        return answer(h, result!);
      }),
    },
    {
      method: 'GET',
      path: '/config/instances',
      handler: guarded(async () => {
        const [latest, instances] = await Promise.all([store.latestNumber(), store.instances()]);
        const at = Date.now();
        return {
          latest,
          instances: instances
            .map((instance) => ({
              ...instance,
              // Three missed reports: the instance is gone (or cut off from the store).
              stale: at - instance.seenAtMs > 3 * instance.pollMs,
              current: instance.version === latest,
            }))
            .sort((a, b) => a.instance.localeCompare(b.instance)),
        };
      }),
    },
    {
      method: 'GET',
      path: '/config/audit',
      handler: guarded(async (request) => ({
        events: await store.audit(clamp(request.query.limit, 100, 10_000)),
      })),
    },
  ];
}

function clamp(value: unknown, fallback: number, max: number): number {
  const number = Number(value);
  return Number.isInteger(number) && number > 0 ? Math.min(number, max) : fallback;
}
