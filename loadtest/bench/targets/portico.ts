// Portico as a benchmark target: the config comes from the variant named in BENCH_VARIANT.
import { resolveConfig } from '../../../gateway/config/loadConfigFile.ts';
import { createGateway } from '../../../gateway/createGateway.ts';
import { createLogger } from '../../../gateway/observability/createLogger.ts';
import { porticoVariantConfig } from '../porticoVariants.ts';

const config = porticoVariantConfig(process.env.BENCH_VARIANT!, {
  upstreamUrl: process.env.BENCH_UPSTREAM!,
  issuer: process.env.BENCH_ISSUER ?? 'http://127.0.0.1:1',
  jwksUri: process.env.BENCH_JWKS_URI ?? 'http://127.0.0.1:1/jwks',
  redisUrl: process.env.BENCH_REDIS_URL,
});
const loaded = await resolveConfig(config);
// The production logger (redaction, ISO timestamps) to stdout, which the harness discards: its
// cost is part of the row. (Until 2026-12-02 the rows used a plain pino logger, which left out
// the redaction that then cost ~45 µs per log line.)
const gateway = await createGateway(loaded, { logger: createLogger() });
const { url } = await gateway.start();
process.stderr.write(`BENCH_READY ${new URL(url).port}\n`);
process.on('SIGTERM', () => void gateway.stop().then(() => process.exit(0)));
