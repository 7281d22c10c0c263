// Identity's JWKS as a domain service holds it: fetched, cached, and fetched again
// - before use once the cached copy is older than `maxAge` (so a key identity stopped publishing
//   is refused at most `maxAge` later; while the fetch fails, the last keys keep serving);
// - at once when a token names a kid the cache does not have (a key just published), rate-limited
//   to one fetch per `minInterval`: an unknown kid inside it waits for the next fetch (shared by
//   every waiting request) rather than being refused, so forged kids cost identity at most one
//   fetch per interval and a new key never causes a false 401.
import { createLocalJWKSet, errors } from 'jose';
import type { JSONWebKeySet, JWTVerifyGetKey } from 'jose';
import { z } from 'zod';

export interface RemoteKeySetOptions {
  url: string;
  /** Milliseconds: the longest a fetched key set is used without fetching it again. */
  maxAge: number;
  /** Milliseconds: the least time between two fetches. */
  minInterval: number;
  /** Milliseconds allowed for one fetch. */
  timeout: number;
}

/** Defaults, in seconds, of IDENTITY_JWKS_MAX_AGE and IDENTITY_JWKS_MIN_INTERVAL. */
export const JWKS_DEFAULTS = { maxAge: 300, minInterval: 1 } as const;

const seconds = (fallback: number) => z.coerce.number().min(0).default(fallback);
const JwksEnv = z.object({
  IDENTITY_JWKS_MAX_AGE: seconds(JWKS_DEFAULTS.maxAge),
  IDENTITY_JWKS_MIN_INTERVAL: seconds(JWKS_DEFAULTS.minInterval),
});

/** The JWKS timings from the environment (seconds); a bad value stops the start with its name. */
export function jwksTimingsFromEnv(
  env: NodeJS.ProcessEnv,
): Pick<RemoteKeySetOptions, 'maxAge' | 'minInterval'> {
  const parsed = JwksEnv.safeParse(env);
  if (!parsed.success) {
    const reasons = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`invalid environment: ${reasons.join('; ')}`);
  }
  return {
    maxAge: parsed.data.IDENTITY_JWKS_MAX_AGE * 1000,
    minInterval: parsed.data.IDENTITY_JWKS_MIN_INTERVAL * 1000,
  };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

export function createRemoteKeySet(options: RemoteKeySetOptions): JWTVerifyGetKey {
  let local: JWTVerifyGetKey | undefined;
  let fetchedAt = Number.NEGATIVE_INFINITY;
  let attemptedAt = Number.NEGATIVE_INFINITY;
  let inFlight: Promise<void> | undefined;
  let waiting: Promise<void> | undefined;

  const fetchNow = (): Promise<void> =>
    (inFlight ??= (async () => {
      attemptedAt = Date.now();
      try {
        const response = await fetch(options.url, {
          redirect: 'manual',
          signal: AbortSignal.timeout(options.timeout),
          headers: { accept: 'application/json, application/jwk-set+json' },
        });
        if (response.status !== 200) throw new Error(`JWKS ${options.url} answered ${response.status}`);
        local = createLocalJWKSet((await response.json()) as JSONWebKeySet);
        fetchedAt = Date.now();
      } finally {
        inFlight = undefined;
      }
    })());

  /** Resolves once a fetch that started at or after `since` has finished; at most one per minInterval. */
  const fetchStartedSince = async (since: number): Promise<void> => {
    for (;;) {
      if (inFlight && attemptedAt >= since) return inFlight;
      if (inFlight) {
        await inFlight.catch(() => {});
        continue;
      }
      const wait = attemptedAt + options.minInterval - Date.now();
      if (wait <= 0) return fetchNow();
      await (waiting ??= sleep(wait).finally(() => (waiting = undefined)));
    }
  };

  return async (header, token) => {
    const arrived = Date.now();
    if (!local) await fetchStartedSince(arrived);
    else if (arrived - fetchedAt >= options.maxAge) {
      // Stale: one fetch per interval at most; if it fails, the last keys keep serving.
      if (inFlight) await inFlight.catch(() => {});
      else if (arrived - attemptedAt >= options.minInterval) await fetchNow().catch(() => {});
    }
    try {
      return await local!(header, token);
    } catch (error) {
      if (!(error instanceof errors.JWKSNoMatchingKey)) throw error;
    }
    await fetchStartedSince(arrived);
    return local!(header, token);
  };
}
