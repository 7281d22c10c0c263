// `portico config push|history|diff|rollback|show|instances|audit`: the config history of a running
// gateway, through its admin API (gateway/versions/versionAdminRoutes.ts).
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { ConfigError } from '../config/configIssues.ts';
import { parseYaml } from '../config/loadConfigFile.ts';
import type { DocumentChange } from '../versions/diffDocuments.ts';
import type { InstanceState, VersionMeta } from '../versions/versionRecord.ts';
import { ADMIN_AUTH_USAGE, cliAdminAuth, tokenHint, type CliAdminAuth } from './adminAuth.ts';

export const CONFIG_USAGE = `usage: portico config <action> [options]

  config push FILE -m MESSAGE      validate FILE on the gateway, record it as a version and apply it
                                   (refused, with the path of each bad key, when invalid: nothing changes)
  config history [--limit N]       the versions, newest first (* the one the gateway runs)
  config diff A B                  what changed from version A to B (numbers or hashes), key by key
  config rollback VERSION [-m M]   a new version with exactly the document of VERSION (number or hash)
  config show VERSION              the document of a version, as YAML
  config instances                 each instance: the version it runs and since when, or its refusal
  config audit [--limit N]         the audit trail: config pushes, rollbacks, refusals, key changes

  --admin URL        the gateway's admin listener (default $PORTICO_ADMIN_URL, else http://127.0.0.1:9901)
${ADMIN_AUTH_USAGE}
  --json             print the admin API's JSON

exit codes: 0 done (or unchanged), 1 refused, unknown or unreachable, 2 usage`;

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

type Out = (line: string) => void;

export async function runConfig(
  argv: string[],
  out: Out = console.log,
  env: NodeJS.ProcessEnv = process.env,
  err: Out = console.error,
): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        admin: { type: 'string' },
        'token-file': { type: 'string' },
        message: { type: 'string', short: 'm' },
        author: { type: 'string' },
        limit: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    err(`portico config: ${(error as Error).message}\n\n${CONFIG_USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [action, ...rest] = positionals;
  if (values.help || !action) {
    (values.help ? out : err)(CONFIG_USAGE);
    return values.help ? 0 : 2;
  }
  const adminUrl = (values.admin ?? env.PORTICO_ADMIN_URL ?? 'http://127.0.0.1:9901').replace(/\/$/, '');
  let auth: CliAdminAuth;
  try {
    auth = cliAdminAuth(values['token-file'], env);
  } catch (error) {
    err(`portico config: cannot read the admin token: ${(error as Error).message}`);
    return 1;
  }
  const call = async (method: string, path: string, body?: unknown): Promise<Answer> => {
    const response = await fetch(`${adminUrl}${path}`, {
      method,
      headers: { ...auth.headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return {
      status: response.status,
      body: (await response.json().catch(() => ({}))) as Record<string, unknown>,
    };
  };
  const printJson = (value: unknown) => out(JSON.stringify(value, null, 2));
  const failed = (answer: Answer): number => {
    err(
      `portico config ${action}: ${answer.status} ${String(answer.body.detail ?? answer.body.message ?? '')}`,
    );
    if (answer.status === 401 || answer.status === 503) err(tokenHint(auth));
    return 1;
  };

  try {
    switch (action) {
      case 'push': {
        const [file] = rest;
        if (!file || !values.message) {
          err('portico config push: FILE and -m MESSAGE are required');
          return 2;
        }
        let document: unknown;
        try {
          document = parseYaml(await readFile(file, 'utf8'));
        } catch (error) {
          if (error instanceof ConfigError) return refused(file, error.issues, err);
          err(`portico config push: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? error}`);
          return 1;
        }
        const answer = await call('POST', '/config/versions', {
          config: document,
          message: values.message,
          ...(values.author ? { author: values.author } : {}),
        });
        return applied(answer, file);
      }
      case 'rollback': {
        const [target] = rest;
        if (!target) {
          err('portico config rollback: which VERSION (number or hash)?');
          return 2;
        }
        const answer = await call('POST', '/config/rollback', {
          to: target,
          ...(values.message ? { message: values.message } : {}),
          ...(values.author ? { author: values.author } : {}),
        });
        return applied(answer, `version ${target}`);
      }
      case 'history': {
        const answer = await call('GET', `/config/versions${values.limit ? `?limit=${values.limit}` : ''}`);
        if (answer.status !== 200) return failed(answer);
        if (values.json) return (printJson(answer.body), 0);
        const current = (answer.body.current as VersionMeta | undefined)?.number;
        const versions = answer.body.versions as VersionMeta[];
        out(
          versions
            .map((version) =>
              [
                `${version.number === current ? '*' : ' '} ${version.number}`,
                version.hash.slice(0, 12),
                version.createdAt,
                version.author,
                version.rollbackOf !== undefined ? `rollback of ${version.rollbackOf}` : version.source,
                version.message,
              ].join('\t'),
            )
            .join('\n') || '(no versions)',
        );
        return 0;
      }
      case 'diff': {
        const [from, to] = rest;
        if (!from || !to) {
          err('portico config diff: two versions, A and B');
          return 2;
        }
        const answer = await call(
          'GET',
          `/config/diff/${encodeURIComponent(from)}/${encodeURIComponent(to)}`,
        );
        if (answer.status !== 200) return failed(answer);
        if (values.json) return (printJson(answer.body), 0);
        const changes = answer.body.changes as DocumentChange[];
        const [a, b] = [answer.body.from, answer.body.to] as [VersionMeta, VersionMeta];
        out(
          `--- version ${a.number} (${a.hash.slice(0, 12)})\n+++ version ${b.number} (${b.hash.slice(0, 12)})`,
        );
        out(changes.map(describeChange).join('\n') || '(no changes)');
        return 0;
      }
      case 'show': {
        const [target] = rest;
        if (!target) {
          err('portico config show: which VERSION?');
          return 2;
        }
        const answer = await call('GET', `/config/versions/${encodeURIComponent(target)}`);
        if (answer.status !== 200) return failed(answer);
        if (values.json) return (printJson(answer.body), 0);
        const version = answer.body.version as VersionMeta & { document: unknown };
        out(`# version ${version.number} (${version.hash}) by ${version.author}: ${version.message}`);
        out(stringify(version.document).trimEnd());
        return 0;
      }
      case 'instances': {
        const answer = await call('GET', '/config/instances');
        if (answer.status !== 200) return failed(answer);
        if (values.json) return (printJson(answer.body), 0);
        const instances = answer.body.instances as Array<InstanceState & { stale: boolean }>;
        out(
          instances
            .map((instance) =>
              [
                instance.instance,
                instance.version === undefined ? 'unrecorded' : `v${instance.version}`,
                instance.hash.slice(0, 12),
                `applied ${instance.appliedAt}`,
                instance.stale ? `STALE (last seen ${instance.seenAt})` : 'live',
                instance.refused ? `REFUSED v${instance.refused.version}: ${instance.refused.reason}` : '',
              ]
                .filter(Boolean)
                .join('\t'),
            )
            .join('\n') || '(no instances)',
        );
        return 0;
      }
      case 'audit': {
        const answer = await call('GET', `/config/audit${values.limit ? `?limit=${values.limit}` : ''}`);
        if (answer.status !== 200) return failed(answer);
        if (values.json) return (printJson(answer.body), 0);
        const events = answer.body.events as Array<Record<string, unknown>>;
        out(
          events
            .map((event) =>
              [
                event.at,
                event.action,
                event.actor,
                event.version !== undefined ? `v${String(event.version)}` : '-',
                JSON.stringify(event.detail ?? {}),
              ].join('\t'),
            )
            .join('\n') || '(no events)',
        );
        return 0;
      }
      default:
        err(`portico config: unknown action "${action}"\n\n${CONFIG_USAGE}`);
        return 2;
    }
  } catch (error) {
    const cause = (error as TypeError & { cause?: { code?: string } }).cause;
    if (error instanceof TypeError && error.message === 'fetch failed') {
      err(
        `portico config: cannot reach the gateway's admin API at ${adminUrl} (${cause?.code ?? 'no answer'}).\n` +
          '  Is the gateway running? Point at its admin listener with --admin URL or PORTICO_ADMIN_URL.',
      );
      return 1;
    }
    throw error;
  }

  function applied(answer: Answer, what: string): number {
    if (values.json) printJson(answer.body);
    if (answer.status === 422) {
      if (!values.json) refused(what, (answer.body.issues as ConfigError['issues']) ?? [], err);
      return 1;
    }
    if (answer.status !== 200 && answer.status !== 201) return values.json ? 1 : failed(answer);
    if (values.json) return 0;
    const version = answer.body.version as VersionMeta | undefined;
    if (answer.body.unchanged)
      out(`unchanged: the gateway already runs this content${version ? ` (version ${version.number})` : ''}`);
    else
      out(
        `version ${version!.number} (${version!.hash.slice(0, 12)}) applied` +
          (version!.rollbackOf !== undefined ? `: the document of version ${version!.rollbackOf}` : ''),
      );
    for (const path of (answer.body.ignored as string[] | undefined) ?? [])
      err(`  note: ${path} is instance-local: not part of the version (each instance keeps its own)`);
    for (const warning of (answer.body.warnings as string[] | undefined) ?? []) err(`  warning: ${warning}`);
    return 0;
  }
}

function refused(what: string, issues: ConfigError['issues'], err: Out): number {
  err(`${what}: invalid config (refused; the running config stays)`);
  for (const issue of issues) err(`  ${issue.path || '(root)'}: ${issue.message}`);
  return 1;
}

function describeChange(change: DocumentChange): string {
  const show = (value: unknown) => JSON.stringify(value);
  if (change.change === 'added') return `+ ${change.path}: ${show(change.to)}`;
  if (change.change === 'removed') return `- ${change.path}: ${show(change.from)}`;
  return `~ ${change.path}: ${show(change.from)} → ${show(change.to)}`;
}
