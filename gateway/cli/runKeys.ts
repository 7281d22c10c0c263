// `portico keys create|list|revoke`: API keys through the admin API of a running gateway.
import { parseArgs } from 'node:util';
import { apiKeyAdminClient } from '../../plugins/api-key/adminClient.ts';
import type { ApiKeyRecord } from '../../plugins/api-key/apiKeys.ts';
import { ADMIN_AUTH_USAGE, cliAdminAuth, tokenHint } from './adminAuth.ts';

export const KEYS_USAGE = `usage: portico keys <create|list|revoke> [options]

  keys create --name NAME --owner OWNER [--scopes a,b] [--points N --duration 1m]
              [--plan LABEL] [--monthly-quota N] [--routes a,b] [--expires 2027-06-30]
                                        issue a key with its plan (printed once; only its hash is stored)
  keys list                             list keys (never the keys themselves)
  keys revoke ID                        revoke a key; it stops working at once

  --admin URL   the gateway's admin listener (default $PORTICO_ADMIN_URL, else http://127.0.0.1:9901)
  --json        print JSON
${ADMIN_AUTH_USAGE}`;

export async function runKeys(
  argv: string[],
  out: (line: string) => void = console.log,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      admin: { type: 'string' },
      'token-file': { type: 'string' },
      name: { type: 'string' },
      owner: { type: 'string' },
      scopes: { type: 'string' },
      points: { type: 'string' },
      duration: { type: 'string' },
      plan: { type: 'string' },
      'monthly-quota': { type: 'string' },
      routes: { type: 'string' },
      expires: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [action, ...rest] = positionals;
  if (values.help || !action) {
    out(KEYS_USAGE);
    return values.help ? 0 : 2;
  }
  const adminUrl = values.admin ?? env.PORTICO_ADMIN_URL ?? 'http://127.0.0.1:9901';
  const auth = cliAdminAuth(values['token-file'], env);
  try {
    return await runAction(action, rest, values, apiKeyAdminClient(adminUrl, auth.headers), out);
  } catch (error) {
    if (error instanceof Error && /: (401|503) /.test(error.message)) {
      console.error(`portico keys: ${error.message}\n${tokenHint(auth)}`);
      return 1;
    }
    const unreachable = unreachableReason(error);
    if (!unreachable) throw error;
    console.error(
      `portico keys: cannot reach the gateway's admin API at ${adminUrl} (${unreachable}).\n` +
        '  Is the gateway running? Start it with `npm start` (or `portico start`), or point at its admin\n' +
        '  listener with --admin URL or PORTICO_ADMIN_URL (server.admin in the config).',
    );
    return 1;
  }
}

/** Why the admin API could not be reached (fetch's "fetch failed" carries the cause), or undefined. */
function unreachableReason(error: unknown): string | undefined {
  if (!(error instanceof TypeError) || error.message !== 'fetch failed') return undefined;
  const cause = (error as TypeError & { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? 'no answer';
}

async function runAction(
  action: string,
  rest: string[],
  values: {
    name?: string;
    owner?: string;
    scopes?: string;
    points?: string;
    duration?: string;
    plan?: string;
    'monthly-quota'?: string;
    routes?: string;
    expires?: string;
    json?: boolean;
  },
  client: ReturnType<typeof apiKeyAdminClient>,
  out: (line: string) => void,
): Promise<number> {
  const print = (value: unknown, text: string) => out(values.json ? JSON.stringify(value, null, 2) : text);

  switch (action) {
    case 'create': {
      if (!values.name || !values.owner) {
        console.error('portico keys create: --name and --owner are required');
        return 2;
      }
      if ((values.points === undefined) !== (values.duration === undefined)) {
        console.error('portico keys create: --points and --duration go together');
        return 2;
      }
      const monthlyQuota = values['monthly-quota'];
      if (monthlyQuota !== undefined && !/^[1-9]\d*$/.test(monthlyQuota)) {
        console.error('portico keys create: --monthly-quota takes a positive whole number');
        return 2;
      }
      const duration =
        values.duration && /^\d+$/.test(values.duration) ? Number(values.duration) : values.duration;
      const created = await client.create({
        name: values.name,
        owner: values.owner,
        scopes: values.scopes ? list(values.scopes) : [],
        ...(values.plan !== undefined ? { plan: values.plan } : {}),
        ...(monthlyQuota !== undefined ? { monthlyQuota: Number(monthlyQuota) } : {}),
        ...(values.routes !== undefined ? { routes: list(values.routes) } : {}),
        ...(values.expires !== undefined ? { expiresAt: values.expires } : {}),
        ...(values.points !== undefined
          ? { rateLimit: { points: Number(values.points), duration: duration! } }
          : {}),
      });
      print(created, `${created.id}\n${created.key}\n(the key is shown only now: store it safely)`);
      return 0;
    }
    case 'list': {
      const keys = await client.list();
      print(
        keys,
        keys
          .map((key) =>
            [
              key.id,
              key.name,
              key.owner,
              key.scopes.join(',') || '-',
              key.revokedAt
                ? `revoked ${key.revokedAt}`
                : key.expiresAt && Date.parse(key.expiresAt) <= Date.now()
                  ? `expired ${key.expiresAt}`
                  : 'active',
              planSummary(key),
            ].join('\t'),
          )
          .join('\n') || '(no keys)',
      );
      return 0;
    }
    case 'revoke': {
      const [id] = rest;
      if (!id) {
        console.error('portico keys revoke: which key id?');
        return 2;
      }
      const revoked = await client.revoke(id);
      print(revoked, `${revoked.id} revoked at ${revoked.revokedAt}`);
      return 0;
    }
    default:
      console.error(`portico keys: unknown action "${action}"\n\n${KEYS_USAGE}`);
      return 2;
  }
}

function list(text: string): string[] {
  return text
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}

/** The plan in one column: label, limits, routes, expiry ("-" for a key without a plan). */
function planSummary(key: ApiKeyRecord): string {
  const parts = [
    key.plan,
    key.rateLimit && `${key.rateLimit.points}/${key.rateLimit.duration}s`,
    key.monthlyQuota !== undefined && `${key.monthlyQuota}/month`,
    key.routes && `routes=${key.routes.join(',')}`,
    key.expiresAt && !key.revokedAt && `until ${key.expiresAt}`,
  ].filter(Boolean);
  return parts.join(' ') || '-';
}
