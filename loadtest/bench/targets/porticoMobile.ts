// Portico with the mobile BFF in front of the four real services (their URLs in BENCH_SERVICES),
// and the public REST routes the home screen replaces, for the mobile bench rows.
import pino from 'pino';
import { resolveConfig } from '../../../gateway/config/loadConfigFile.ts';
import { createGateway } from '../../../gateway/createGateway.ts';
import { mobileBenchConfig } from '../mobile/mobileBenchConfig.ts';

const urls = JSON.parse(process.env.BENCH_SERVICES!) as Record<string, string>;
const loaded = await resolveConfig(mobileBenchConfig(urls, process.env.BENCH_ISSUER!));
const gateway = await createGateway(loaded, {
  logger: pino({ level: 'info' }, pino.destination({ dest: 1, sync: false })),
});
const { url } = await gateway.start();
process.stderr.write(`BENCH_READY ${new URL(url).port}\n`);
process.on('SIGTERM', () => void gateway.stop().then(() => process.exit(0)));
