// Idempotency-Key handling (draft-ietf-httpapi-idempotency-key-header): the first request with a
// key runs and its answer is kept; the same key and fingerprint later gets that answer replayed, a
// different fingerprint 422, and a duplicate arriving while the first runs waits for it (or 409).
// Duplicates on this instance wait on the first in memory; across instances the store's in-flight
// mark (SET NX PX in Redis) holds them off and they poll it, for a bounded time.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleepFor } from 'node:timers/promises';
import Boom from '@hapi/boom';
import type { UpstreamReply } from '../../contracts/upstream.ts';
import { bufferResponse, toReply, type StoredResponse } from './bufferedResponse.ts';
import { cloneError } from './cloneError.ts';
import type { IdempotencySettings } from './schema.ts';
import type { IdempotencyRecord, IdempotencyStore, PendingMark, StoreEntry } from './stores/types.ts';

export const REPLAYED_HEADER = 'idempotent-replayed';

// Answers that say "not processed, try again": kept, a retry with the same key could never succeed.
const NOT_KEPT_STATUSES = new Set([408, 425, 429, 502, 503, 504]);

export interface IdempotentRequest {
  /** The record's key (route, caller and Idempotency-Key, hashed). */
  key: string;
  fingerprint: string;
  settings: IdempotencySettings;
  /** The upstream exchange, with the buffered body. */
  execute: () => Promise<UpstreamReply>;
}

export interface IdempotencyDeps {
  store: IdempotencyStore;
  onStoreFailure: 'reject' | 'pass-through';
  storeTimeout: number;
  onStoreError(error: unknown): void;
  sleep?: (ms: number) => Promise<unknown>;
  now?: () => number;
}

/** What the first request leaves the duplicates that waited for it. */
type Shared = { kind: 'record'; record: IdempotencyRecord } | { kind: 'error'; error: unknown };

interface Led {
  shared: Shared;
  /** The first request's own answer, when it ran the exchange. */
  own?: UpstreamReply;
}

export interface Idempotency {
  handle(request: IdempotentRequest): Promise<UpstreamReply>;
}

export const mismatch = () =>
  Boom.badData('this Idempotency-Key was already used with another request (method, path or body differ)');
const inFlight = () =>
  Boom.conflict('a request with this Idempotency-Key is still being processed; retry later');
const tooLargeToReplay = () =>
  Boom.conflict('the first answer to this Idempotency-Key was too large to keep, so it cannot be replayed');
const storeUnavailable = () => {
  const error = Boom.serverUnavailable(
    'the idempotency store is unavailable; retry later with the same Idempotency-Key',
  );
  error.output.headers['retry-after'] = '1';
  return error;
};

class StoreTimeout extends Error {}

export function createIdempotency(deps: IdempotencyDeps): Idempotency {
  const { store } = deps;
  const sleep = deps.sleep ?? sleepFor;
  const now = deps.now ?? Date.now;
  const local = new Map<string, { fingerprint: string; shared: Promise<Shared> }>();

  const timed = <T>(operation: Promise<T>): Promise<T> => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new StoreTimeout(`store call took over ${deps.storeTimeout}ms`)),
        deps.storeTimeout,
      );
    });
    return Promise.race([operation, timeout]).finally(() => clearTimeout(timer));
  };
  const quietly = async (operation: () => Promise<void>) => {
    try {
      await timed(operation());
    } catch (error) {
      deps.onStoreError(error);
    }
  };

  /** Turns what the first request left into this request's answer. */
  function answer(shared: Shared, fingerprint: string): UpstreamReply {
    if (shared.kind === 'error') throw cloneError(shared.error);
    const { record } = shared;
    if (record.fingerprint !== fingerprint) throw mismatch();
    if (!record.response) throw tooLargeToReplay();
    return toReply(record.response, { [REPLAYED_HEADER]: 'true' });
  }

  /** Runs the exchange and keeps its answer (when `mark` is set: in the store too). */
  async function execute(request: IdempotentRequest, mark: PendingMark | undefined): Promise<Led> {
    const { key, fingerprint, settings } = request;
    let response: UpstreamReply;
    let buffered;
    try {
      response = await request.execute();
      buffered = await bufferResponse(response, settings.maxResponseSize);
    } catch (error) {
      // No answer to keep: the key is freed, so the client's own retry may run.
      if (mark) await quietly(() => store.release(key, mark));
      return { shared: { kind: 'error', error } };
    }
    const complete = 'complete' in buffered ? buffered.complete : undefined;
    const own = complete ? toReply(complete) : (buffered as { overflow: UpstreamReply }).overflow;
    const record: IdempotencyRecord = { fingerprint };
    if (complete) record.response = withoutSetCookie(complete);
    if (mark) {
      if (NOT_KEPT_STATUSES.has(complete?.status ?? response.status)) {
        await quietly(() => store.release(key, mark));
      } else {
        await quietly(() => store.complete(key, mark, record, settings.ttl));
      }
    }
    return { shared: { kind: 'record', record }, own };
  }

  async function storeFailed(error: unknown, request: IdempotentRequest): Promise<Led> {
    deps.onStoreError(error);
    if (deps.onStoreFailure === 'reject') return { shared: { kind: 'error', error: storeUnavailable() } };
    return execute(request, undefined);
  }

  /** The first of its key on this instance: claims the key in the store, then runs, replays or waits. */
  async function lead(request: IdempotentRequest): Promise<Led> {
    const { key, fingerprint, settings } = request;
    const mark: PendingMark = { fingerprint, token: randomUUID() };
    const deadline = now() + settings.waitTimeout;
    let entry: StoreEntry | undefined;
    try {
      entry = await timed(store.claim(key, mark, settings.lockTtl));
    } catch (error) {
      return storeFailed(error, request);
    }
    for (;;) {
      if (entry === undefined) return execute(request, mark);
      if (entry.state === 'done') return { shared: { kind: 'record', record: entry.record } };
      // In flight at another instance.
      if (entry.fingerprint !== fingerprint) return { shared: { kind: 'error', error: mismatch() } };
      if (settings.onInFlight === 'reject' || now() >= deadline)
        return { shared: { kind: 'error', error: inFlight() } };
      await sleep(settings.pollInterval);
      try {
        entry = (await timed(store.get(key))) ?? (await timed(store.claim(key, mark, settings.lockTtl)));
      } catch (error) {
        return storeFailed(error, request);
      }
    }
  }

  /** A duplicate of a request in flight on this instance. */
  async function follow(
    flight: { fingerprint: string; shared: Promise<Shared> },
    request: IdempotentRequest,
  ): Promise<UpstreamReply> {
    if (flight.fingerprint !== request.fingerprint) throw mismatch();
    if (request.settings.onInFlight === 'reject') throw inFlight();
    let timer: NodeJS.Timeout | undefined;
    const gaveUp = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), request.settings.waitTimeout);
    });
    const shared = await Promise.race([flight.shared, gaveUp]).finally(() => clearTimeout(timer));
    if (!shared) throw inFlight();
    return answer(shared, request.fingerprint);
  }

  return {
    async handle(request) {
      const flight = local.get(request.key);
      if (flight) return follow(flight, request);
      let share!: (shared: Shared) => void;
      local.set(request.key, {
        fingerprint: request.fingerprint,
        shared: new Promise<Shared>((resolve) => (share = resolve)),
      });
      let led: Led;
      try {
        led = await lead(request);
      } catch (error) {
        led = { shared: { kind: 'error', error } };
      } finally {
        local.delete(request.key);
      }
      share(led.shared);
      return led.own ?? answer(led.shared, request.fingerprint);
    },
  };
}

/** A replay must not set cookies again (a session id minted for the first request). */
function withoutSetCookie(stored: StoredResponse): StoredResponse {
  if (!('set-cookie' in stored.headers)) return stored;
  const headers = { ...stored.headers };
  delete headers['set-cookie'];
  return { ...stored, headers };
}
