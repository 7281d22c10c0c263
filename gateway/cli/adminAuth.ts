// The admin token the CLI sends (`portico keys`, `portico config`), and who it says is calling.
import { existsSync, readFileSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { TOKEN_ENV } from '../admin/adminToken.ts';
import { devAdminTokenFile, devDataDir } from './devDataDir.ts';

export const ADMIN_AUTH_USAGE = `  --token-file FILE  the admin token (default $${TOKEN_ENV}, else the file $PORTICO_ADMIN_TOKEN_FILE,
                     else the one \`portico dev\` generated in its data directory)`;

export interface CliAdminAuth {
  headers: Record<string, string>;
  /** Where the token came from; undefined when none was found (the gateway will say 401 or 503). */
  source: string | undefined;
}

/** In order: --token-file, PORTICO_ADMIN_TOKEN, PORTICO_ADMIN_TOKEN_FILE, `portico dev`'s file. */
export function cliAdminAuth(
  tokenFile: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): CliAdminAuth {
  const actor = { 'x-portico-actor': actorName() };
  const fromFile = (file: string, source: string): CliAdminAuth => ({
    headers: { ...actor, authorization: `Bearer ${readFileSync(file, 'utf8').trim()}` },
    source,
  });
  if (tokenFile) return fromFile(tokenFile, tokenFile);
  const token = env[TOKEN_ENV];
  if (token) return { headers: { ...actor, authorization: `Bearer ${token.trim()}` }, source: TOKEN_ENV };
  if (env.PORTICO_ADMIN_TOKEN_FILE)
    return fromFile(env.PORTICO_ADMIN_TOKEN_FILE, env.PORTICO_ADMIN_TOKEN_FILE);
  const dev = devAdminTokenFile(devDataDir(undefined, env));
  if (existsSync(dev)) return fromFile(dev, dev);
  return { headers: actor, source: undefined };
}

/** Hint printed after a 401/503 from the admin API. */
export function tokenHint(auth: CliAdminAuth): string {
  return auth.source
    ? `  (the token sent came from ${auth.source}; is it the gateway's?)`
    : `  (no admin token found: set ${TOKEN_ENV}, PORTICO_ADMIN_TOKEN_FILE or --token-file)`;
}

function actorName(): string {
  try {
    return `${userInfo().username}@${hostname()}`;
  } catch {
    return hostname();
  }
}
