// Web sessions: an opaque id in the browser, the tokens sealed in the store under a hash of that id
// (a store dump yields neither tokens nor usable session ids). The idle timeout is the record's
// expiry in the store, pushed forward on use without rewriting the record, so a request that only
// reads a session can never overwrite tokens another request just refreshed. Refresh runs under a
// per-session lock (one refresh per rotation, on any instance); a refresh identity refuses ends the
// session, and nothing but a successful refresh changes its tokens.
import { createHash, randomBytes } from 'node:crypto';
import type { SessionCipher } from './sessionCipher.ts';
import type { SessionStore } from './stores/types.ts';

export interface SessionUser {
  id: string;
  roles: string[];
  name?: string;
}

export interface SessionRecord {
  user: SessionUser;
  accessToken: string;
  refreshToken: string;
  /** ms since the epoch. */
  accessExpiresAt: number;
  createdAt: number;
  absoluteExpiresAt: number;
}

export interface TokenSet {
  accessToken: string;
  refreshToken: string;
  expiresInSeconds: number;
}

/** What identity said to a refresh: new tokens, a refusal (the session ends), or no answer. */
export type RefreshOutcome =
  { kind: 'tokens'; tokens: TokenSet } | { kind: 'refused' } | { kind: 'unavailable' };

export interface SessionTimeouts {
  idleTimeout: number;
  absoluteTimeout: number;
  refreshBefore: number;
}

export interface ActiveSession {
  id: string;
  record: SessionRecord;
  /** When the session ends if unused from now. */
  idleExpiresAt: number;
}

export interface SessionManager {
  create(user: SessionUser, tokens: TokenSet): Promise<ActiveSession>;
  /** The live session for a cookie value, refreshed when due; undefined when there is none (any more). */
  resume(
    id: string | undefined,
    refresh: (refreshToken: string) => Promise<RefreshOutcome>,
  ): Promise<ActiveSession | undefined>;
  /** Ends the session; returns its record (for revoking the refresh token) when there was one. */
  end(id: string | undefined): Promise<SessionRecord | undefined>;
}

const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;
const LOCK_TTL = 15_000;
const LOCK_POLL = 50;
const LOCK_WAIT = 10_000;

export const storeKeyOf = (id: string): string => createHash('sha256').update(id).digest('base64url');

export function createSessionManager(options: {
  store: SessionStore;
  cipher: SessionCipher;
  timeouts: SessionTimeouts;
  now?: () => number;
  onRefresh?: (outcome: 'refreshed' | 'refused' | 'unavailable' | 'waited') => void;
}): SessionManager {
  const { store, cipher, timeouts } = options;
  const now = options.now ?? Date.now;
  const recordKey = (hash: string) => `s:${hash}`;
  const lockKey = (hash: string) => `l:${hash}`;
  // One refresh per session in this process at a time; other instances wait on the store's lock.
  const refreshing = new Map<string, Promise<SessionRecord | undefined>>();

  const ttlOf = (record: SessionRecord) => Math.min(timeouts.idleTimeout, record.absoluteExpiresAt - now());

  async function read(hash: string): Promise<SessionRecord | undefined> {
    const sealed = await store.get(recordKey(hash));
    if (sealed === undefined) return undefined;
    const plain = cipher.open(sealed, hash);
    if (plain === undefined) return undefined;
    const record = JSON.parse(plain) as SessionRecord;
    if (record.absoluteExpiresAt <= now()) {
      await store.delete(recordKey(hash));
      return undefined;
    }
    return record;
  }

  async function write(hash: string, record: SessionRecord): Promise<void> {
    await store.set(recordKey(hash), cipher.seal(JSON.stringify(record), hash), ttlOf(record));
  }

  const due = (record: SessionRecord) => record.accessExpiresAt - now() <= timeouts.refreshBefore;

  async function refreshUnderLock(
    hash: string,
    stale: SessionRecord,
    refresh: (refreshToken: string) => Promise<RefreshOutcome>,
  ): Promise<SessionRecord | undefined> {
    if (!(await store.claim(lockKey(hash), LOCK_TTL))) {
      // Another instance is refreshing: wait for its new tokens (or for the session to end).
      const until = now() + LOCK_WAIT;
      while (now() < until) {
        await new Promise((resolve) => setTimeout(resolve, LOCK_POLL));
        const current = await read(hash);
        if (!current || current.refreshToken !== stale.refreshToken) {
          options.onRefresh?.('waited');
          return current;
        }
      }
      return stale.accessExpiresAt > now() ? stale : undefined;
    }
    try {
      // The lock's previous holder may have refreshed already.
      const current = await read(hash);
      if (!current) return undefined;
      if (!due(current)) return current;
      const outcome = await refresh(current.refreshToken);
      if (outcome.kind === 'refused') {
        options.onRefresh?.('refused');
        await store.delete(recordKey(hash));
        return undefined;
      }
      if (outcome.kind === 'unavailable') {
        options.onRefresh?.('unavailable');
        // Identity did not answer: a still-valid access token carries on, unchanged; never extended.
        if (current.accessExpiresAt > now()) return current;
        await store.delete(recordKey(hash));
        return undefined;
      }
      const updated: SessionRecord = {
        ...current,
        accessToken: outcome.tokens.accessToken,
        refreshToken: outcome.tokens.refreshToken,
        accessExpiresAt: now() + outcome.tokens.expiresInSeconds * 1000,
      };
      await write(hash, updated);
      options.onRefresh?.('refreshed');
      return updated;
    } finally {
      await store.delete(lockKey(hash));
    }
  }

  return {
    async create(user, tokens) {
      const id = randomBytes(32).toString('base64url');
      const created = now();
      const record: SessionRecord = {
        user,
        accessToken: tokens.accessToken,
        refreshToken: tokens.refreshToken,
        accessExpiresAt: created + tokens.expiresInSeconds * 1000,
        createdAt: created,
        absoluteExpiresAt: created + timeouts.absoluteTimeout,
      };
      await write(storeKeyOf(id), record);
      return { id, record, idleExpiresAt: created + ttlOf(record) };
    },

    async resume(id, refresh) {
      if (id === undefined || !SESSION_ID.test(id)) return undefined;
      const hash = storeKeyOf(id);
      let record = await read(hash);
      if (!record) return undefined;
      if (due(record)) {
        let pending = refreshing.get(hash);
        if (!pending) {
          pending = refreshUnderLock(hash, record, refresh).finally(() => refreshing.delete(hash));
          refreshing.set(hash, pending);
        }
        record = await pending;
        if (!record) return undefined;
      }
      const ttl = ttlOf(record);
      await store.touch(recordKey(hash), ttl);
      return { id, record, idleExpiresAt: now() + ttl };
    },

    async end(id) {
      if (id === undefined || !SESSION_ID.test(id)) return undefined;
      const hash = storeKeyOf(id);
      const sealed = await store.take(recordKey(hash));
      const plain = sealed === undefined ? undefined : cipher.open(sealed, hash);
      return plain === undefined ? undefined : (JSON.parse(plain) as SessionRecord);
    },
  };
}
