// The URL a started hapi server is reachable at (a wildcard bind is reached over loopback).
import type { Server } from '@hapi/hapi';

export function serviceUrl(server: Server): string {
  const host = server.info.host;
  const reachable = host === '0.0.0.0' || host === '::' || host === '' ? '127.0.0.1' : host;
  return `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${server.info.port}`;
}
