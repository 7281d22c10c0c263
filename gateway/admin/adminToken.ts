// The admin token: what every state-changing admin route asks for. Kept as its SHA-256 digest, so
// a presented token is compared digest to digest (equal lengths, crypto.timingSafeEqual): the
// comparison takes the same time whatever the guess, and the token itself is not kept around.
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ConfigError } from '../config/configIssues.ts';
import type { PorticoConfig } from '../config/schema.ts';

/** Shorter tokens are refused: an admin token guards config pushes and key issuance. */
export const MIN_TOKEN_LENGTH = 16;

export const TOKEN_ENV = 'PORTICO_ADMIN_TOKEN';

export interface AdminToken {
  /** SHA-256 of the token; undefined when none is configured (state-changing routes then refuse). */
  digest: Buffer | undefined;
  /** Where it came from, for logs and the refusal message. */
  source: 'option' | 'env' | 'file' | 'none';
}

const digestOf = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/**
 * The token, in this order: `explicit` (an embedder's or `portico dev`'s), `PORTICO_ADMIN_TOKEN`,
 * `server.admin.tokenFile` (relative to the working directory, like the other data paths).
 */
export async function resolveAdminToken(
  config: PorticoConfig,
  { explicit, env = process.env }: { explicit?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<AdminToken> {
  if (explicit !== undefined)
    return { digest: digestOf(checked(explicit, 'the admin token option')), source: 'option' };
  const fromEnv = env[TOKEN_ENV];
  if (fromEnv !== undefined && fromEnv !== '') {
    if (fromEnv.trim().length < MIN_TOKEN_LENGTH)
      throw new ConfigError([
        { path: TOKEN_ENV, message: `the admin token must be at least ${MIN_TOKEN_LENGTH} characters` },
      ]);
    return { digest: digestOf(fromEnv.trim()), source: 'env' };
  }
  const file = config.server.admin.tokenFile;
  if (file === undefined) return { digest: undefined, source: 'none' };
  let text: string;
  try {
    text = await readFile(resolve(file), 'utf8');
  } catch (error) {
    throw new ConfigError([
      {
        path: 'server.admin.tokenFile',
        message: `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      },
    ]);
  }
  const token = text.trim();
  if (token.length < MIN_TOKEN_LENGTH)
    throw new ConfigError([
      {
        path: 'server.admin.tokenFile',
        message: `${file} holds a token shorter than ${MIN_TOKEN_LENGTH} characters`,
      },
    ]);
  return { digest: digestOf(token), source: 'file' };
}

function checked(token: string, what: string): string {
  if (token.length < MIN_TOKEN_LENGTH)
    throw new Error(`${what} must be at least ${MIN_TOKEN_LENGTH} characters`);
  return token;
}

/** Whether an `Authorization` header carries the token (`Bearer <token>`). */
export function presentsToken(token: AdminToken, authorization: string | undefined): boolean {
  if (!token.digest || !authorization) return false;
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization);
  if (!match) return false;
  return timingSafeEqual(digestOf(match[1]!), token.digest);
}
