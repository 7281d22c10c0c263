// The tiny upstream every row is measured against: a fixed small JSON body, keep-alive.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

const body = JSON.stringify({ id: 42, title: 'Mindfulness for exam season', category: 'wellbeing' });
const server = http.createServer((req, res) => {
  req.resume();
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
});
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => {
  process.stderr.write(`BENCH_READY ${(server.address() as AddressInfo).port}\n`);
});
process.on('SIGTERM', () => process.exit(0));
