// One issuer's signing keys: OIDC discovery (when no jwksUri is configured), then jose's remote
// JWKS set, which caches the keys and refetches once, rate-limited by its cooldown, when a token
// names an unknown kid. Around it:
// - an unknown kid that arrives during the cooldown waits for its end and one shared refetch, instead
//   of a 401: an issuer that publishes a key and signs with it at once causes no false 401s, and
//   forged kids still cause at most one fetch per cooldown;
// - fetch failures become KeysUnavailable (503, never 401), and a failed fetch blocks further
//   fetches for `failureBackoff`, so a down IdP is not hammered;
// - the cached keys never go stale on their own: a background refresh replaces them, and while it
//   fails the last good keys keep serving. A key the issuer stopped publishing is refused from the
//   next successful fetch on (`onKeysRemoved` lets the verified-token cache forget its tokens), so
//   at most `refreshInterval` after its removal.
import {
  createRemoteJWKSet,
  customFetch,
  errors,
  type JWTHeaderParameters,
  type FlattenedJWSInput,
} from 'jose';
import { KeysUnavailable } from './errors.ts';

export interface IssuerKeysOptions {
  issuer: string;
  jwksUri?: string;
  cooldown: number;
  timeout: number;
  failureBackoff: number;
  /** Milliseconds since the epoch; injectable for tests of the backoff. */
  now?: () => number;
  /** Called after every fetch attempt (discovery or JWKS), for metrics and logs. */
  onFetch?: (event: { kind: 'discovery' | 'jwks'; ok: boolean; error?: string }) => void;
  /** Called when a fetched JWKS lacks kids the previous one had. */
  onKeysRemoved?: (kids: string[]) => void;
}

export type KeyResolver = (header: JWTHeaderParameters, token: FlattenedJWSInput) => Promise<CryptoKey>;

export interface IssuerKeys {
  /** jose key resolver for jwtVerify; throws KeysUnavailable when the keys cannot be had. */
  resolve: KeyResolver;
  /** Fetches the JWKS now (background refresh); never throws. */
  refresh(): Promise<boolean>;
  /** Whether some keys are cached. */
  hasKeys(): boolean;
}

export function createIssuerKeys(options: IssuerKeysOptions): IssuerKeys {
  const now = options.now ?? Date.now;
  let lastFailureAt = Number.NEGATIVE_INFINITY;
  let lastSuccessAt = Number.NEGATIVE_INFINITY;
  let deferredReload: Promise<void> | undefined;
  let jwksUri: URL | undefined = options.jwksUri ? new URL(options.jwksUri) : undefined;
  let pendingDiscovery: Promise<URL> | undefined;
  let remote: ReturnType<typeof createRemoteJWKSet> | undefined;
  let publishedKids = new Set<string>();

  const unavailable = (reason: string) => {
    const wait = Math.max(1, Math.ceil((lastFailureAt + options.failureBackoff - now()) / 1000));
    return new KeysUnavailable(`keys of ${options.issuer} unavailable: ${reason}`, wait);
  };
  const backingOff = () => now() < lastFailureAt + options.failureBackoff;

  /** GET a JSON document; any failure (network, status, body) is recorded and becomes KeysUnavailable. */
  const fetchJson = async (url: string, kind: 'discovery' | 'jwks', init?: RequestInit): Promise<unknown> => {
    if (backingOff()) throw unavailable('a recent fetch failed');
    try {
      const response = await fetch(url, {
        ...init,
        redirect: 'manual',
        signal: AbortSignal.timeout(options.timeout),
        headers: { accept: 'application/json, application/jwk-set+json' },
      });
      if (response.status !== 200) throw new Error(`HTTP ${response.status}`);
      const body = (await response.json()) as unknown;
      if (kind === 'jwks') lastSuccessAt = now();
      options.onFetch?.({ kind, ok: true });
      return body;
    } catch (error) {
      lastFailureAt = now();
      const reason = error instanceof Error ? error.message : String(error);
      options.onFetch?.({ kind, ok: false, error: reason });
      throw unavailable(`${kind} fetch failed (${reason})`);
    }
  };

  const discover = async (): Promise<URL> => {
    const base = options.issuer.endsWith('/') ? options.issuer.slice(0, -1) : options.issuer;
    const document = (await fetchJson(`${base}/.well-known/openid-configuration`, 'discovery')) as Record<
      string,
      unknown
    >;
    // The discovery document must be the issuer's own (OIDC Discovery §4.3).
    if (
      document?.issuer !== options.issuer ||
      typeof document.jwks_uri !== 'string' ||
      !/^https?:\/\//.test(document.jwks_uri)
    ) {
      lastFailureAt = now();
      throw unavailable('discovery document does not match the issuer or has no jwks_uri');
    }
    return new URL(document.jwks_uri);
  };

  const keySet = async () => {
    if (remote) return remote;
    if (!jwksUri) {
      pendingDiscovery ??= discover().finally(() => (pendingDiscovery = undefined));
      jwksUri = await pendingDiscovery;
    }
    remote ??= createRemoteJWKSet(jwksUri, {
      cooldownDuration: options.cooldown,
      // Keys never expire by age: a background refresh replaces them, and an outage keeps the last good set.
      cacheMaxAge: Number.POSITIVE_INFINITY,
      timeoutDuration: options.timeout,
      [customFetch]: async (url: string, init: RequestInit) => {
        const body = await fetchJson(url, 'jwks', init);
        if (typeof body !== 'object' || body === null || !Array.isArray((body as { keys?: unknown }).keys)) {
          lastFailureAt = now();
          throw unavailable('the JWKS is not a key set');
        }
        const kids = new Set(
          (body as { keys: unknown[] }).keys
            .map((key) => (key as { kid?: unknown } | null)?.kid)
            .filter((kid): kid is string => typeof kid === 'string'),
        );
        const removed = [...publishedKids].filter((kid) => !kids.has(kid));
        publishedKids = kids;
        if (removed.length > 0) options.onKeysRemoved?.(removed);
        return new Response(JSON.stringify(body), {
          status: 200,
          headers: { 'content-type': 'application/json' },
        });
      },
    });
    return remote;
  };

  return {
    async resolve(header, token) {
      const set = await keySet();
      const coolingDown = set.coolingDown;
      try {
        return await set(header, token);
      } catch (error) {
        // Not cooling down: jose has already refetched for this kid, and the kid is still unknown.
        if (!(error instanceof errors.JWKSNoMatchingKey) || !coolingDown) throw error;
      }
      // Cooling down: wait for its end and one refetch shared by every waiting request, then look once more.
      deferredReload ??= new Promise<void>((resolve) => {
        setTimeout(resolve, Math.max(0, lastSuccessAt + options.cooldown - now())).unref();
      })
        .then(() => set.reload())
        .finally(() => (deferredReload = undefined));
      await deferredReload;
      return set(header, token);
    },
    async refresh() {
      try {
        await (await keySet()).reload();
        return true;
      } catch {
        return false;
      }
    },
    hasKeys: () => remote?.jwks() !== undefined,
  };
}
