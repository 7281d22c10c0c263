// The baseline of the handler row: a bare node server that answers each request by calling the
// upstream with undici's Pool and piping the answer back, nothing else.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream';
import { Pool } from 'undici';

const pool = new Pool(process.env.BENCH_UPSTREAM!, { connections: 512, pipelining: 1 });
const server = http.createServer((req, res) => {
  pool.request({ method: 'GET', path: (req.url ?? '/').replace(/^\/handler/, '') }).then(
    (answer) => {
      res.writeHead(answer.statusCode, {
        'content-type': String(answer.headers['content-type'] ?? 'text/plain'),
      });
      pipeline(answer.body, res, () => {});
    },
    () => {
      res.writeHead(502);
      res.end();
    },
  );
});
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => {
  process.stderr.write(`BENCH_READY ${(server.address() as AddressInfo).port}\n`);
});
process.on('SIGTERM', () => process.exit(0));
