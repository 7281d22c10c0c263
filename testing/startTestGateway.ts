// A whole gateway on ephemeral ports from a config object, for tests; logs go nowhere unless asked.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino, { type Logger } from 'pino';
import type { PorticoPlugin } from '../contracts/plugin.ts';
import { resolveConfig } from '../gateway/config/loadConfigFile.ts';
import type { PorticoConfigInput } from '../gateway/config/schema.ts';
import { createGateway, type Gateway } from '../gateway/createGateway.ts';

export interface TestGateway {
  gateway: Gateway;
  url: string;
  adminUrl: string;
  /** The admin token this gateway's state-changing admin routes ask for. */
  adminToken: string;
  /** `{ authorization: 'Bearer <token>' }`, to spread into an admin call's headers. */
  adminHeaders: Record<string, string>;
  stop(): Promise<void>;
}

export async function startTestGateway(
  config: PorticoConfigInput,
  options: {
    logger?: Logger;
    extraPlugins?: readonly PorticoPlugin[];
    adminToken?: string;
    /** What relative paths in the config (plugin modules, `${file:...}`) are relative to; default the working directory. */
    baseDir?: string;
  } = {},
): Promise<TestGateway> {
  // Each test gateway keeps its own history unless the test shares one (versions in its config).
  const historyDir = config.versions ? undefined : mkdtempSync(join(tmpdir(), 'portico-versions-'));
  const loaded = await resolveConfig(
    {
      ...config,
      ...(historyDir ? { versions: { store: 'file' as const, dir: historyDir } } : {}),
      server: {
        ...config.server,
        port: config.server?.port ?? 0,
        admin: { port: 0, ...config.server?.admin },
      },
    },
    { extraPlugins: options.extraPlugins ?? [], ...(options.baseDir ? { baseDir: options.baseDir } : {}) },
  );
  const adminToken = options.adminToken ?? randomBytes(24).toString('base64url');
  const gateway = await createGateway(loaded, {
    logger: options.logger ?? pino({ level: 'silent' }),
    adminToken,
  });
  const cleanUp = () => historyDir && rmSync(historyDir, { recursive: true, force: true });
  const { url, adminUrl } = await gateway.start().catch(async (error: unknown) => {
    await gateway.stop();
    cleanUp();
    throw error;
  });
  return {
    gateway,
    url: url.replace('0.0.0.0', '127.0.0.1'),
    adminUrl,
    adminToken,
    adminHeaders: { authorization: `Bearer ${adminToken}` },
    stop: async () => {
      await gateway.stop();
      cleanUp();
    },
  };
}
