// ES256 signing keys kept in the database, so every identity instance (and a restart with a
// data dir) signs with the same key and publishes the same JWKS. A key's life:
//   next    published, not signing yet (pre-publication: verifiers learn it before they meet it);
//   active  signing (from activates_at), published;
//   retired no longer signing (from retired_at, the successor's activates_at), still published for
//           the grace period so the tokens it signed stay verifiable;
//   gone    past retired_at + grace: not published; verifiers refuse its tokens within their cache
//           max age.
// States are computed from the rows' times at each call, so a transition needs no reload.
import { calculateJwkThumbprint, createLocalJWKSet, exportJWK, generateKeyPair, importJWK } from 'jose';
import type { CryptoKey, JSONWebKeySet, JWK, JWTVerifyGetKey } from 'jose';
import type { Database } from '../../kit/index.ts';

interface KeyRow {
  kid: string;
  private_jwk: JWK;
  public_jwk: JWK;
  /** ms since the epoch */
  activatesAt: number;
  /** ms since the epoch; null while no successor is scheduled */
  retiredAt: number | null;
}

/** Seconds a key is published before it signs, and published after it stops signing. */
export interface KeyTimeline {
  prePublication: number;
  grace: number;
}

export interface Rotation {
  kid: string;
  /** When the new key starts signing (and the previous one stops). */
  activatesAt: Date;
}

/** How long one instance trusts its cached rows before looking for another instance's rotation. */
const CACHE_MS = 30_000;
/** Least time between two reloads caused by tokens naming a kid we do not know. */
const UNKNOWN_KID_RELOAD_MS = 1_000;

export interface SigningKeys {
  active(): Promise<{ kid: string; key: CryptoKey }>;
  /** The published keys: next, active and retired-in-grace. */
  jwks(): Promise<JSONWebKeySet>;
  /** Key lookup for verifying our own tokens; reloads (at most once a second) on an unknown kid. */
  verifyKey: JWTVerifyGetKey;
  /** Publishes a new key now; it signs after the pre-publication time. */
  rotate(): Promise<Rotation>;
}

async function newKey(): Promise<Pick<KeyRow, 'kid' | 'private_jwk' | 'public_jwk'>> {
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

const isPublished = (row: KeyRow, now: number, graceMs: number) =>
  row.retiredAt === null || row.retiredAt + graceMs > now;
const isSigning = (row: KeyRow, now: number) =>
  row.activatesAt <= now && (row.retiredAt === null || row.retiredAt > now);

export function createSigningKeys(db: Database, timeline: KeyTimeline): SigningKeys {
  const graceMs = timeline.grace * 1000;
  let rows: KeyRow[] = [];
  let loadedAt = Number.NEGATIVE_INFINITY;
  let lastUnknownKidReload = Number.NEGATIVE_INFINITY;
  const privateKeys = new Map<string, Promise<CryptoKey>>();
  let published: { ids: string; jwks: JSONWebKeySet; verify: JWTVerifyGetKey } | undefined;

  /** Adds a key signing from `activatesAt`; the keys signing until then retire at that moment. */
  const insert = async (activatesAt: number, onlyIfNone: boolean) => {
    const key = await newKey();
    await db.transaction(async (tx) => {
      await tx.query('select pg_advisory_xact_lock(hashtext($1))', ['identity:signing-keys']);
      const at = new Date(activatesAt).toISOString();
      if (onlyIfNone) {
        const signing = await tx.query(
          `select 1 from identity.signing_keys
            where activates_at <= $1 and (retired_at is null or retired_at > $1)`,
          [at],
        );
        if (signing.rowCount > 0) return;
      }
      await tx.query(
        `update identity.signing_keys set retired_at = $1 where retired_at is null or retired_at > $1`,
        [at],
      );
      await tx.query(
        `insert into identity.signing_keys (kid, private_jwk, public_jwk, activates_at) values ($1, $2, $3, $4)`,
        [key.kid, JSON.stringify(key.private_jwk), JSON.stringify(key.public_jwk), at],
      );
    });
    return key.kid;
  };

  const load = async (): Promise<KeyRow[]> => {
    const now = Date.now();
    const result = await db.query<{
      kid: string;
      private_jwk: JWK;
      public_jwk: JWK;
      activates_at: Date | string;
      retired_at: Date | string | null;
    }>(
      `select kid, private_jwk, public_jwk, activates_at, retired_at
         from identity.signing_keys
        where retired_at is null or retired_at > $1
        order by activates_at desc`,
      [new Date(now - graceMs).toISOString()],
    );
    const loaded = result.rows.map((row) => ({
      kid: row.kid,
      private_jwk: row.private_jwk,
      public_jwk: row.public_jwk,
      activatesAt: new Date(row.activates_at).getTime(),
      retiredAt: row.retired_at === null ? null : new Date(row.retired_at).getTime(),
    }));
    if (!loaded.some((row) => isSigning(row, now))) {
      // First start (or every key retired by hand): one key, signing at once (nothing it could
      // surprise a verifier with yet). Concurrent starters serialize on the advisory lock, and the
      // second one finds the first one's key.
      await insert(now, true);
      return load();
    }
    rows = loaded;
    loadedAt = now;
    return rows;
  };

  const current = async () => (Date.now() - loadedAt < CACHE_MS ? rows : load());

  const publishedSet = (all: KeyRow[]) => {
    const now = Date.now();
    const keys = all.filter((row) => isPublished(row, now, graceMs)).map((row) => row.public_jwk);
    const ids = keys.map((key) => key.kid).join(' ');
    if (published?.ids !== ids) {
      const jwks = { keys };
      published = { ids, jwks, verify: createLocalJWKSet(jwks) };
    }
    return published;
  };

  return {
    async active() {
      const signingNow = (candidate: KeyRow) => isSigning(candidate, Date.now());
      const row = (await current()).find(signingNow) ?? (await load()).find(signingNow)!;
      let key = privateKeys.get(row.kid);
      if (!key) {
        key = importJWK(row.private_jwk, 'ES256') as Promise<CryptoKey>;
        privateKeys.set(row.kid, key);
      }
      return { kid: row.kid, key: await key };
    },
    async jwks() {
      return publishedSet(await current()).jwks;
    },
    async verifyKey(header, token) {
      let set = publishedSet(await current());
      const known = set.jwks.keys.some((key) => key.kid === header.kid);
      if (header.kid && !known && Date.now() - lastUnknownKidReload >= UNKNOWN_KID_RELOAD_MS) {
        lastUnknownKidReload = Date.now();
        set = publishedSet(await load());
      }
      return set.verify(header, token);
    },
    async rotate() {
      const activatesAt = Date.now() + timeline.prePublication * 1000;
      const kid = await insert(activatesAt, false);
      await db.query(`delete from identity.signing_keys where retired_at < $1`, [
        new Date(Date.now() - graceMs - 86_400_000).toISOString(),
      ]);
      await load();
      return { kid, activatesAt: new Date(activatesAt) };
    },
  };
}
