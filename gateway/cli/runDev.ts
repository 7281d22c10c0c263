// `portico dev` (what `npm start` runs): the domain services on their default ports, then the
// gateway in front of them, all on embedded defaults (no Redis, no Postgres server).
import { createGateway } from '../createGateway.ts';
import { createLogger } from '../observability/createLogger.ts';
import { chooseConfigFile, loadOrReport } from './configFile.ts';
import { stopOnSignals } from './runStart.ts';

export async function runDev(options: { configFile?: string }): Promise<number> {
  const loaded = await loadOrReport(chooseConfigFile(options.configFile));
  if (!loaded) return 1;
  const gateway = await createGateway(loaded);
  // Dev orchestration only: the gateway's runtime never imports a service.
  const { startServices } = await import('../../services/index.ts');
  // Each service names itself in its log lines.
  const services = await startServices({ logger: createLogger({ service: '' }) });
  const { url, adminUrl } = await gateway.start();
  console.error(
    `portico dev: gateway ${url}, admin ${adminUrl}, services ${Object.entries(services.urls)
      .map(([name, serviceUrl]) => `${name} ${serviceUrl}`)
      .join(', ')}`,
  );
  stopOnSignals(gateway, () => services.stop());
  return -1;
}
