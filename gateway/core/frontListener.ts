// The listening socket of a gateway, which outlives its builds: every new request (and upgrade)
// goes to the hapi server of the current build, so a reload swaps builds atomically while requests
// already dispatched finish on the build they started on. hapi's own listener is never bound.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Server } from '@hapi/hapi';
import type { FastDispatch } from '../routes/createFastDispatch.ts';

export interface FrontListener {
  listener: http.Server;
  /** New requests go to `server` from now on (to `fast` first, which serves fast-path routes without hapi). */
  serve(server: Server, fast?: FastDispatch): void;
  /** Requests dispatched to `server` and not yet finished. */
  inFlight(server: Server): number;
  /** Resolves once `server` has no request in flight, or after `timeoutMs`. */
  settled(server: Server, timeoutMs: number): Promise<void>;
  listen(port: number, host: string): Promise<string>;
  /** Stops accepting, lets in-flight requests finish (closing idle keep-alive connections), destroys what is left after `timeoutMs`. */
  close(timeoutMs: number): Promise<void>;
}

export function createFrontListener(listener: http.Server = http.createServer()): FrontListener {
  let current: Server | undefined;
  let currentFast: FastDispatch | undefined;
  const counts = new WeakMap<Server, number>();
  const waiters = new Map<Server, Array<() => void>>();

  const finished = (server: Server) => {
    const left = (counts.get(server) ?? 1) - 1;
    counts.set(server, left);
    if (left === 0) for (const wake of waiters.get(server)?.splice(0) ?? []) wake();
  };
  const dispatch =
    (event: 'request' | 'checkContinue') => (req: http.IncomingMessage, res: http.ServerResponse) => {
      const server = current;
      const fast = currentFast;
      if (!server) {
        res.writeHead(503, { 'content-type': 'application/problem+json', 'retry-after': '1' });
        res.end(
          '{"type":"about:blank","title":"Service Unavailable","status":503,"detail":"the gateway is starting"}',
        );
        return;
      }
      counts.set(server, (counts.get(server) ?? 0) + 1);
      // The front listener, the request context, the client-gone signal, hapi, http-proxy and the
      // body pipeline each watch the response's close: past Node's default of 10 it warns, and
      // building that warning (a stack trace) per request costs more than the request.
      res.setMaxListeners(32);
      res.once('close', () => finished(server));
      if (event === 'request' && fast?.(req, res)) return;
      server.listener.emit(event, req, res);
    };
  listener.on('request', dispatch('request'));
  listener.on('checkContinue', dispatch('checkContinue'));
  listener.on('upgrade', (req, socket, head) => {
    if (!current || current.listener.listenerCount('upgrade') === 0) {
      socket.destroy();
      return;
    }
    current.listener.emit('upgrade', req, socket, head);
  });

  return {
    listener,
    serve(server, fast) {
      current = server;
      currentFast = fast;
    },
    inFlight: (server) => counts.get(server) ?? 0,
    settled(server, timeoutMs) {
      if ((counts.get(server) ?? 0) === 0) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeoutMs);
        const list = waiters.get(server) ?? [];
        list.push(() => {
          clearTimeout(timer);
          resolve();
        });
        waiters.set(server, list);
      });
    },
    listen(port, host) {
      return new Promise((resolve, reject) => {
        listener.once('error', reject);
        listener.listen(port, host, () => {
          listener.off('error', reject);
          const { port: bound } = listener.address() as AddressInfo;
          resolve(`http://${host.includes(':') ? `[${host}]` : host}:${bound}`);
        });
      });
    },
    async close(timeoutMs) {
      if (!listener.listening) return;
      const closed = new Promise<void>((resolve) => listener.close(() => resolve()));
      // Keep-alive connections become idle between requests: close them as they do.
      const sweep = setInterval(() => listener.closeIdleConnections(), 25);
      const deadline = setTimeout(() => listener.closeAllConnections(), timeoutMs);
      listener.closeIdleConnections();
      await closed;
      clearInterval(sweep);
      clearTimeout(deadline);
    },
  };
}
