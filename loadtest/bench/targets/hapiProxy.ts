// Diagnostic row: the smallest hapi + http-proxy pairing Portico's engine is built on (selfHandleResponse,
// upstream answer returned as a hapi stream response), with nothing of Portico's. Between "bare-proxy"
// and "portico-bare", it separates what the pairing costs from what Portico's own steps cost.
import http, { type IncomingMessage } from 'node:http';
import Hapi from '@hapi/hapi';
import httpProxy from 'http-proxy';

const target = process.env.BENCH_UPSTREAM!;
const agent = new http.Agent({ keepAlive: true, maxSockets: 512 });
const proxy = httpProxy.createProxyServer({ target, agent, selfHandleResponse: true });
const waiting = new WeakMap<IncomingMessage, (response: IncomingMessage) => void>();
proxy.on('proxyRes', (proxyRes: IncomingMessage, req: IncomingMessage) => waiting.get(req)?.(proxyRes));

const server = Hapi.server({ host: '127.0.0.1', port: 0, debug: false, compression: false });
server.route({
  method: 'GET',
  path: '/{p*}',
  options: { cache: false, response: { ranges: false } },
  handler: async (request, h) => {
    const upstreamResponse = await new Promise<IncomingMessage>((resolve, reject) => {
      waiting.set(request.raw.req, resolve);
      proxy.web(request.raw.req, request.raw.res, {}, reject);
    });
    return h.response(upstreamResponse);
  },
});
await server.start();
process.stderr.write(`BENCH_READY ${server.info.port}\n`);
process.on('SIGTERM', () => void server.stop({ timeout: 0 }).then(() => process.exit(0)));
