// Which history an instance keeps: the shared one in Redis (every instance sees every version),
// or a file for a single instance.
import type { PorticoConfig } from '../config/schema.ts';
import type { Runtime } from '../runtime/createRuntime.ts';
import { fileVersionStore } from './fileVersionStore.ts';
import { redisVersionStore } from './redisVersionStore.ts';
import type { VersionStore } from './versionStore.ts';

export function openVersionStore(config: PorticoConfig, runtime: Pick<Runtime, 'redis'>): VersionStore {
  const { store, dir, prefix } = config.versions;
  const useRedis = store === 'redis' || (store === 'auto' && runtime.redis !== undefined);
  // The loader refuses `store: redis` without the redis key, so the client exists here.
  return useRedis && runtime.redis ? redisVersionStore(runtime.redis, prefix) : fileVersionStore(dir);
}
