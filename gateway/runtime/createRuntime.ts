// What outlives a config reload: the Redis connection, the metrics registry, upstream pools (for
// upstreams whose settings did not change), health checks and the state plugins keep (breakers,
// limiters, in-memory counters). One per gateway process; builds come and go on top of it.
import { Cluster, Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { RedisClient } from '../../contracts/plugin.ts';
import { createReadiness, type Readiness } from '../admin/readiness.ts';
import type { PorticoConfig } from '../config/schema.ts';
import { createGatewayMetrics, type GatewayMetrics } from '../observability/gatewayMetrics.ts';
import { closeUpstream, createUpstream, type Upstream } from '../proxy/createUpstream.ts';

export interface Runtime {
  logger: Logger;
  metrics: GatewayMetrics;
  redis: RedisClient | undefined;
  /** The Redis settings the connection was made with (a reload cannot change them). */
  redisConfig: PorticoConfig['redis'];
  readiness: Readiness;
  /** The upstream records of a config: the same record (agent, pool) while an upstream's settings are unchanged. */
  upstreamsFor(config: PorticoConfig['upstreams']): Map<string, Upstream>;
  keep<T>(key: string, create: () => T, dispose?: (value: T) => void | Promise<void>): T;
  /** Runs when the runtime stops, after every build is gone (close what `keep` made). */
  onStop(task: () => Promise<void> | void): void;
  /** Waits (bounded) for Redis to be ready; false when it was not. */
  redisReady(): Promise<boolean>;
  stop(): Promise<void>;
}

export function createRuntime(config: PorticoConfig, logger: Logger): Runtime {
  const metrics = createGatewayMetrics();
  const redis = config.redis ? connectRedis(config.redis, logger) : undefined;
  const readiness = createReadiness();
  const kept = new Map<string, unknown>();
  const stopTasks: Array<() => Promise<void> | void> = [];
  const upstreams = new Map<string, { settings: string; upstream: Upstream }>();

  return {
    logger,
    metrics,
    redis,
    redisConfig: config.redis,
    readiness,
    upstreamsFor(configured) {
      const result = new Map<string, Upstream>();
      for (const [name, settings] of Object.entries(configured)) {
        const key = JSON.stringify(settings);
        let entry = upstreams.get(name);
        if (entry && entry.settings !== key) {
          // The old record may still serve in-flight requests of the retiring build: close it later.
          const retired = entry.upstream;
          setTimeout(() => closeUpstream(retired), 60_000).unref();
          entry = undefined;
        }
        if (!entry) {
          entry = { settings: key, upstream: createUpstream(name, settings) };
          upstreams.set(name, entry);
        }
        result.set(name, entry.upstream);
      }
      return result;
    },
    keep<T>(key: string, create: () => T, dispose?: (value: T) => void | Promise<void>): T {
      if (!kept.has(key)) {
        const value = create();
        kept.set(key, value);
        if (dispose) stopTasks.push(() => dispose(value));
      }
      return kept.get(key) as T;
    },
    onStop(task) {
      stopTasks.push(task);
    },
    redisReady() {
      if (!redis || !config.redis) return Promise.resolve(true);
      return waitForRedis(redis, config.redis.startupWait);
    },
    async stop() {
      readiness.stop();
      for (const task of stopTasks.reverse()) await task();
      for (const { upstream } of upstreams.values()) closeUpstream(upstream);
      if (redis) redis.disconnect();
    },
  };
}

function waitForRedis(client: RedisClient, waitMs: number): Promise<boolean> {
  if (client.status === 'ready') return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (ready: boolean) => {
      clearTimeout(timer);
      client.off('ready', onReady);
      resolve(ready);
    };
    const onReady = () => done(true);
    const timer = setTimeout(() => done(false), waitMs);
    client.on('ready', onReady);
  });
}

function connectRedis(config: NonNullable<PorticoConfig['redis']>, logger: Logger): RedisClient {
  const client: RedisClient =
    'url' in config
      ? new Redis(config.url, { lazyConnect: false, maxRetriesPerRequest: 1, enableOfflineQueue: false })
      : new Cluster(config.cluster.nodes, { enableOfflineQueue: false });
  client.on('error', (error: Error) =>
    logger.warn({ event: 'redis_error', err: error.message }, 'redis error'),
  );
  return client;
}
