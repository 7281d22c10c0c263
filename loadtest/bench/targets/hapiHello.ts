// Diagnostic row: hapi answering the upstream's body itself, no proxying. Compared with "direct"
// (the same answer from bare node:http) it isolates what hapi's request lifecycle costs per request.
import Hapi from '@hapi/hapi';

const body = JSON.stringify({ id: 42, title: 'Mindfulness for exam season', category: 'wellbeing' });
const server = Hapi.server({ host: '127.0.0.1', port: 0, debug: false, compression: false });
server.route({
  method: 'GET',
  path: '/{p*}',
  options: { cache: false },
  handler: (_request, h) => h.response(body).type('application/json'),
});
await server.start();
process.stderr.write(`BENCH_READY ${server.info.port}\n`);
process.on('SIGTERM', () => void server.stop({ timeout: 0 }).then(() => process.exit(0)));
