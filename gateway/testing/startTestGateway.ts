// A whole gateway on ephemeral ports from a config object, for tests; logs go nowhere unless asked.
import pino, { type Logger } from 'pino';
import { resolveConfig } from '../config/loadConfig.ts';
import type { PorticoConfigInput } from '../config/schema.ts';
import { createGateway, type Gateway } from '../createGateway.ts';

export interface TestGateway {
  gateway: Gateway;
  url: string;
  adminUrl: string;
  stop(): Promise<void>;
}

export async function startTestGateway(
  config: PorticoConfigInput,
  options: { logger?: Logger } = {},
): Promise<TestGateway> {
  const loaded = await resolveConfig({
    ...config,
    server: { ...config.server, port: config.server?.port ?? 0, admin: { port: 0, ...config.server?.admin } },
  });
  const gateway = await createGateway(loaded, { logger: options.logger ?? pino({ level: 'silent' }) });
  const { url, adminUrl } = await gateway.start();
  return { gateway, url: url.replace('0.0.0.0', '127.0.0.1'), adminUrl, stop: () => gateway.stop() };
}
