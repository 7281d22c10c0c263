// ES256 signing keys kept in the database, so every identity instance (and a restart with a
// data dir) signs with the same key and publishes the same JWKS. Rotation adds a new active key;
// the retired one stays published until the last token it signed has expired.
import { calculateJwkThumbprint, createLocalJWKSet, exportJWK, generateKeyPair, importJWK } from 'jose';
import type { CryptoKey, JSONWebKeySet, JWK, JWTVerifyGetKey } from 'jose';
import type { Database } from '../../kit/index.ts';

interface KeyRow {
  kid: string;
  private_jwk: JWK;
  public_jwk: JWK;
}

interface LoadedKeys {
  active: { kid: string; key: CryptoKey };
  jwks: JSONWebKeySet;
  verifyKey: JWTVerifyGetKey;
  loadedAt: number;
}

/** How long one instance trusts its cached view before looking for another's rotation. */
const CACHE_MS = 30_000;
/** Clock skew tolerated by verifiers; a retired key stays published this much longer. */
const SKEW_SECONDS = 60;

export interface SigningKeys {
  active(): Promise<{ kid: string; key: CryptoKey }>;
  jwks(): Promise<JSONWebKeySet>;
  /** Key lookup for verifying our own tokens; reloads once on an unknown kid. */
  verifyKey: JWTVerifyGetKey;
  rotate(): Promise<string>;
}

async function newKeyRow(): Promise<KeyRow> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const public_jwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(public_jwk);
  const meta = { kid, alg: 'ES256', use: 'sig' };
  return {
    kid,
    private_jwk: { ...(await exportJWK(privateKey)), ...meta },
    public_jwk: { ...public_jwk, ...meta },
  };
}

export function createSigningKeys(db: Database, accessTokenTtl: number): SigningKeys {
  let cache: LoadedKeys | undefined;

  /** Adds `row` as the active key; with `onlyIfNone`, only when no active key exists yet. */
  const insert = async (row: KeyRow, onlyIfNone: boolean) => {
    await db.transaction(async (tx) => {
      await tx.query('select pg_advisory_xact_lock(hashtext($1))', ['identity:signing-keys']);
      if (onlyIfNone) {
        const active = await tx.query('select 1 from identity.signing_keys where retired_at is null');
        if (active.rowCount > 0) return;
      }
      await tx.query(`update identity.signing_keys set retired_at = now() where retired_at is null`);
      await tx.query(`insert into identity.signing_keys (kid, private_jwk, public_jwk) values ($1, $2, $3)`, [
        row.kid,
        JSON.stringify(row.private_jwk),
        JSON.stringify(row.public_jwk),
      ]);
    });
  };

  const load = async (): Promise<LoadedKeys> => {
    const publishedFor = accessTokenTtl + SKEW_SECONDS;
    const rows = await db.query<KeyRow & { retired: boolean }>(
      `select kid, private_jwk, public_jwk, retired_at is not null as retired
         from identity.signing_keys
        where retired_at is null or retired_at > now() - make_interval(secs => $1)
        order by created_at desc`,
      [publishedFor],
    );
    if (!rows.rows.some((row) => !row.retired)) {
      // First start (or every key retired by hand): make one. Concurrent starters serialize on
      // the advisory lock, and the second one finds the first one's key.
      await insert(await newKeyRow(), true);
      return load();
    }
    const activeRow = rows.rows.find((row) => !row.retired) as KeyRow;
    const jwks: JSONWebKeySet = { keys: rows.rows.map((row) => row.public_jwk) };
    cache = {
      active: { kid: activeRow.kid, key: (await importJWK(activeRow.private_jwk, 'ES256')) as CryptoKey },
      jwks,
      verifyKey: createLocalJWKSet(jwks),
      loadedAt: Date.now(),
    };
    return cache;
  };

  const current = async () => (cache && Date.now() - cache.loadedAt < CACHE_MS ? cache : load());

  return {
    async active() {
      return (await current()).active;
    },
    async jwks() {
      return (await current()).jwks;
    },
    async verifyKey(header, token) {
      const keys = await current();
      if (header.kid && !keys.jwks.keys.some((key) => key.kid === header.kid)) {
        return (await load()).verifyKey(header, token);
      }
      return keys.verifyKey(header, token);
    },
    async rotate() {
      const row = await newKeyRow();
      await insert(row, false);
      await db.query(
        `delete from identity.signing_keys where retired_at < now() - make_interval(secs => $1)`,
        [accessTokenTtl + SKEW_SECONDS + 86_400],
      );
      await load();
      return row.kid;
    },
  };
}
