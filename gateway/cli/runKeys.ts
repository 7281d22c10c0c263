// `portico keys create|list|revoke`: API keys through the admin API of a running gateway.
import { parseArgs } from 'node:util';
import { apiKeyAdminClient } from '../../plugins/api-key/adminClient.ts';

export const KEYS_USAGE = `usage: portico keys <create|list|revoke> [options]

  keys create --name NAME --owner OWNER [--scopes a,b] [--points N --duration 1m]
                                        issue a key (printed once; only its hash is stored)
  keys list                             list keys (never the keys themselves)
  keys revoke ID                        revoke a key; it stops working at once

  --admin URL   the gateway's admin listener (default $PORTICO_ADMIN_URL, else http://127.0.0.1:9901)
  --json        print JSON`;

export async function runKeys(argv: string[], out: (line: string) => void = console.log): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      admin: { type: 'string' },
      name: { type: 'string' },
      owner: { type: 'string' },
      scopes: { type: 'string' },
      points: { type: 'string' },
      duration: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [action, ...rest] = positionals;
  if (values.help || !action) {
    out(KEYS_USAGE);
    return values.help ? 0 : 2;
  }
  const adminUrl = values.admin ?? process.env.PORTICO_ADMIN_URL ?? 'http://127.0.0.1:9901';
  try {
    return await runAction(action, rest, values, apiKeyAdminClient(adminUrl), out);
  } catch (error) {
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
      const duration =
        values.duration && /^\d+$/.test(values.duration) ? Number(values.duration) : values.duration;
      const created = await client.create({
        name: values.name,
        owner: values.owner,
        scopes: values.scopes
          ? values.scopes
              .split(',')
              .map((scope) => scope.trim())
              .filter(Boolean)
          : [],
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
              key.revokedAt ? `revoked ${key.revokedAt}` : 'active',
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
