// One keep-alive agent and http-proxy server (proxied routes) and one undici pool (handler calls)
// per upstream, built once at start.
import http from 'node:http';
import https from 'node:https';
import httpProxy from 'http-proxy';
import type { Pool } from 'undici';
import type { UpstreamConfig } from '../config/schema.ts';
import { createPool } from '../upstream/undiciTransport.ts';

export interface Upstream {
  name: string;
  url: URL;
  config: UpstreamConfig;
  agent: http.Agent;
  proxy: httpProxy;
  /** The pooled client for calls handlers make (BFFs, GraphQL); proxied routes use `agent`. */
  pool: Pool;
  /** The target handed to http-proxy: the upstream origin and base path. */
  target: { protocol: string; host: string; port: string; path: string };
  basePath: string;
}

export function createUpstream(name: string, config: UpstreamConfig): Upstream {
  const url = new URL(config.url);
  const isHttps = url.protocol === 'https:';
  const agentOptions = {
    keepAlive: true,
    maxSockets: config.maxSockets,
    maxFreeSockets: config.maxFreeSockets,
    // LIFO keeps a few sockets hot and lets the rest time out when load drops.
    scheduling: 'lifo' as const,
  };
  const agent = isHttps ? new https.Agent(agentOptions) : new http.Agent(agentOptions);
  const basePath = url.pathname === '/' ? '' : url.pathname.replace(/\/$/, '');
  const target = {
    protocol: url.protocol,
    host: url.hostname,
    port: url.port || (isHttps ? '443' : '80'),
    path: '',
  };
  const proxy = httpProxy.createProxyServer({
    agent,
    // The gateway answers through hapi, so its own plugins see and shape every upstream answer.
    selfHandleResponse: true,
    changeOrigin: true,
    xfwd: false,
    ws: true,
    // We set the final path on req.url ourselves (base path included).
    prependPath: false,
  });
  const pool = createPool(url.origin, {
    connections: config.maxSockets,
    connectTimeout: config.connectTimeout,
  });
  return { name, url, config, agent, proxy, pool, target, basePath };
}

export function closeUpstream(upstream: Upstream): void {
  upstream.proxy.close();
  upstream.agent.destroy();
  void upstream.pool.destroy();
}
