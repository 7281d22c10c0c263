// Portico as a benchmark target: the config comes from the variant named in BENCH_VARIANT.
import pino from 'pino';
import { resolveConfig } from '../../../gateway/config/loadConfigFile.ts';
import { createGateway } from '../../../gateway/createGateway.ts';
import { porticoVariantConfig } from '../porticoVariants.ts';

const config = porticoVariantConfig(process.env.BENCH_VARIANT!, {
  upstreamUrl: process.env.BENCH_UPSTREAM!,
  issuer: process.env.BENCH_ISSUER ?? 'http://127.0.0.1:1',
  jwksUri: process.env.BENCH_JWKS_URI ?? 'http://127.0.0.1:1/jwks',
  redisUrl: process.env.BENCH_REDIS_URL,
});
const loaded = await resolveConfig(config);
// Logs go to stdout as in production (the harness discards them): their cost is part of the row.
const gateway = await createGateway(loaded, {
  logger: pino({ level: 'info' }, pino.destination({ dest: 1, sync: false })),
});
const { url } = await gateway.start();
process.stderr.write(`BENCH_READY ${new URL(url).port}\n`);
process.on('SIGTERM', () => void gateway.stop().then(() => process.exit(0)));
