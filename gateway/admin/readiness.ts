// Readiness and the active health checks of upstreams. Not ready until every probed upstream has
// answered once, and not ready while draining. An upstream failing later does not take the edge
// out of rotation (its routes answer 502/503 on their own) unless it is marked `critical`.
// Health flips are told to listeners: the circuit breaker half-opens at once when an upstream it
// holds open is seen healthy again. Long-lived: a config reload re-targets it, state survives.
import http from 'node:http';
import https from 'node:https';
import type { Upstream } from '../proxy/createUpstream.ts';

export interface UpstreamHealth {
  healthy: boolean;
  answeredOnce: boolean;
  critical: boolean;
  lastError?: string;
  checkedAt?: string;
}

export interface Readiness {
  isReady(): boolean;
  report(): { ready: boolean; draining: boolean; upstreams: Record<string, UpstreamHealth> };
  startDraining(): void;
  /** Probe these upstreams from now on (the current config's); keeps what it knew of each by name. */
  track(upstreams: readonly Upstream[]): void;
  /** Probe every upstream once now; resolves when each has answered or failed. */
  probeAll(): Promise<void>;
  onChange(listener: (upstream: string, healthy: boolean) => void): void;
  /**
   * Something saw the upstream fail (its circuit opened): count it unhealthy until a probe says
   * otherwise, and probe it at the unhealthy interval from now on, so its return is seen quickly.
   */
  suspect(upstream: string): void;
  stop(): void;
}

interface Probe {
  upstream: Upstream;
  timer?: NodeJS.Timeout;
  stopped: boolean;
}

export function createReadiness(upstreams: readonly Upstream[] = []): Readiness {
  let draining = false;
  const state = new Map<string, UpstreamHealth>();
  const probes = new Map<string, Probe>();
  const listeners: Array<(upstream: string, healthy: boolean) => void> = [];

  async function probe(entry: Probe): Promise<void> {
    const { upstream } = entry;
    const health = upstream.config.health;
    if (health === false) return;
    const record = state.get(upstream.name)!;
    const was = record.healthy;
    const url = new URL(upstream.basePath + health.path, upstream.url);
    try {
      const status = await getStatus(url, upstream.config.connectTimeout + 1000);
      record.healthy = status >= 200 && status < 300;
      record.lastError = record.healthy ? undefined : `status ${status}`;
    } catch (error) {
      record.healthy = false;
      record.lastError = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    }
    if (record.healthy) record.answeredOnce = true;
    record.checkedAt = new Date().toISOString();
    if (record.healthy !== was && !entry.stopped)
      for (const listener of listeners) listener(upstream.name, record.healthy);
  }

  // An unhealthy upstream is probed more often, so its return is seen within a second or so.
  function schedule(entry: Probe): void {
    const health = entry.upstream.config.health;
    if (health === false || entry.stopped) return;
    const healthy = state.get(entry.upstream.name)?.healthy;
    const delay = healthy ? health.interval : Math.min(health.interval, health.unhealthyInterval);
    entry.timer = setTimeout(() => {
      void probe(entry).finally(() => schedule(entry));
    }, delay);
    entry.timer.unref();
  }

  function track(next: readonly Upstream[]): void {
    for (const entry of probes.values()) {
      entry.stopped = true;
      clearTimeout(entry.timer);
    }
    probes.clear();
    const names = new Set<string>();
    for (const upstream of next) {
      const health = upstream.config.health;
      if (health === false) continue;
      names.add(upstream.name);
      const known = state.get(upstream.name);
      state.set(upstream.name, {
        healthy: known?.healthy ?? false,
        answeredOnce: known?.answeredOnce ?? false,
        critical: health.critical,
        ...(known?.lastError !== undefined && { lastError: known.lastError }),
        ...(known?.checkedAt !== undefined && { checkedAt: known.checkedAt }),
      });
      const entry: Probe = { upstream, stopped: false };
      probes.set(upstream.name, entry);
      schedule(entry);
    }
    for (const name of [...state.keys()]) if (!names.has(name)) state.delete(name);
  }

  const ready = () =>
    !draining &&
    [...state.values()].every((entry) => entry.answeredOnce && (!entry.critical || entry.healthy));

  track(upstreams);
  return {
    isReady: ready,
    report: () => ({ ready: ready(), draining, upstreams: Object.fromEntries(state) }),
    startDraining() {
      draining = true;
    },
    track,
    async probeAll() {
      await Promise.all([...probes.values()].map(probe));
    },
    onChange(listener) {
      listeners.push(listener);
    },
    suspect(name) {
      const entry = probes.get(name);
      const record = state.get(name);
      if (!entry || !record || !record.healthy) return;
      record.healthy = false;
      clearTimeout(entry.timer);
      schedule(entry);
    },
    stop() {
      for (const entry of probes.values()) {
        entry.stopped = true;
        clearTimeout(entry.timer);
      }
    },
  };
}

function getStatus(url: URL, timeoutMs: number): Promise<number> {
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const request = client.get(url, { timeout: timeoutMs, agent: false }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on('timeout', () => request.destroy(new Error('timeout')));
    request.on('error', reject);
  });
}
