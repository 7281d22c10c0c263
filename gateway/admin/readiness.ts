// Readiness: not ready until every probed upstream has answered once, and not ready while draining.
// One upstream failing later does not take the whole edge out of rotation: its routes answer
// 502/503 on their own, and /readyz shows its state.
import http from 'node:http';
import https from 'node:https';
import type { Upstream } from '../proxy/createUpstream.ts';

export interface UpstreamHealth {
  healthy: boolean;
  answeredOnce: boolean;
  lastError?: string;
  checkedAt?: string;
}

export interface Readiness {
  isReady(): boolean;
  report(): { ready: boolean; draining: boolean; upstreams: Record<string, UpstreamHealth> };
  startDraining(): void;
  /** Probe every upstream once now; resolves when each has answered or failed. */
  probeAll(): Promise<void>;
  stop(): void;
}

export function createReadiness(upstreams: Upstream[]): Readiness {
  let draining = false;
  const state = new Map<string, UpstreamHealth>();
  const timers: NodeJS.Timeout[] = [];
  const probed = upstreams.filter((upstream) => upstream.config.health !== false);
  for (const upstream of probed) state.set(upstream.name, { healthy: false, answeredOnce: false });

  async function probe(upstream: Upstream): Promise<void> {
    const health = upstream.config.health;
    if (health === false) return;
    const entry = state.get(upstream.name)!;
    const url = new URL(upstream.basePath + health.path, upstream.url);
    try {
      const status = await getStatus(url, upstream.config.connectTimeout + 1000);
      entry.healthy = status >= 200 && status < 300;
      entry.lastError = entry.healthy ? undefined : `status ${status}`;
    } catch (error) {
      entry.healthy = false;
      entry.lastError = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    }
    if (entry.healthy) entry.answeredOnce = true;
    entry.checkedAt = new Date().toISOString();
  }

  for (const upstream of probed) {
    const health = upstream.config.health as { interval: number };
    const timer = setInterval(() => void probe(upstream), health.interval);
    timer.unref();
    timers.push(timer);
  }

  return {
    isReady: () => !draining && [...state.values()].every((entry) => entry.answeredOnce),
    report() {
      return {
        ready: !draining && [...state.values()].every((entry) => entry.answeredOnce),
        draining,
        upstreams: Object.fromEntries(state),
      };
    },
    startDraining() {
      draining = true;
    },
    async probeAll() {
      await Promise.all(probed.map(probe));
    },
    stop() {
      for (const timer of timers) clearInterval(timer);
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
