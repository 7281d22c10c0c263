// The plugins that ship with Portico, by the name the config uses.
import type { PorticoPlugin } from '../../contracts/plugin.ts';
import accessLog from '../../plugins/access-log/index.ts';
import adaptiveConcurrency from '../../plugins/adaptive-concurrency/index.ts';
import apiKey from '../../plugins/api-key/index.ts';
import authJwt from '../../plugins/auth-jwt/index.ts';
import circuitBreaker from '../../plugins/circuit-breaker/index.ts';
import cors from '../../plugins/cors/index.ts';
import dedup from '../../plugins/dedup/index.ts';
import openapi from '../../plugins/openapi/index.ts';
import ipFilter from '../../plugins/ip-filter/index.ts';
import mobileBff from '../../bff/mobile/index.ts';
import graphql from '../../plugins/graphql/index.ts';
import rateLimit from '../../plugins/rate-limit/index.ts';
import responseCache from '../../plugins/response-cache/index.ts';
import retry from '../../plugins/retry/index.ts';
import securityHeaders from '../../plugins/security-headers/index.ts';
import webBff from '../../bff/web/index.ts';
import tracing from '../../plugins/tracing/index.ts';
import transform from '../../plugins/transform/index.ts';

export function builtinPlugins(): ReadonlyMap<string, PorticoPlugin> {
  const plugins: PorticoPlugin[] = [
    accessLog,
    adaptiveConcurrency,
    cors,
    securityHeaders,
    rateLimit,
    authJwt,
    apiKey,
    dedup,
    circuitBreaker,
    retry,
    webBff,
    openapi,
    ipFilter,
    responseCache,
    transform,
    tracing,
    mobileBff,
    graphql,
  ];
  return new Map(plugins.map((plugin) => [plugin.name, plugin]));
}
