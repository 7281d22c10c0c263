// The test harness: what plugin, BFF and service tests use to run a real gateway, real upstreams and
// a real Redis. Tests outside gateway/ import from here, never from gateway/ internals.
export { configIssuesOf, MINIMAL_CONFIG } from './configIssuesOf.ts';
export { rawRequest, type RawResponse } from './rawRequest.ts';
export { PORTICO_BIN, spawnPortico, type PorticoProcess } from './spawnPortico.ts';
export {
  freePort,
  redisServerBinary,
  redisSkipReason,
  startRedisServer,
  type RedisServer,
} from './startRedisServer.ts';
export { startTestGateway, type TestGateway } from './startTestGateway.ts';
export { startUnacceptingListener, type UnacceptingListener } from './startUnacceptingListener.ts';
export {
  echo,
  startUpstream,
  type SeenRequest,
  type TestUpstream,
  type UpstreamHandler,
} from './startUpstream.ts';
export { getStatus, until } from './until.ts';
// The gateway surfaces tests drive directly: the config resolver and its error, the logger, the keys CLI.
export { ConfigError } from '../gateway/config/configIssues.ts';
export { resolveConfig } from '../gateway/config/loadConfigFile.ts';
export type { PorticoConfigInput } from '../gateway/config/schema.ts';
export { createLogger } from '../gateway/observability/createLogger.ts';
export { runKeys } from '../gateway/cli/runKeys.ts';
