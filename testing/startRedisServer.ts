// A real redis-server on a free port for tests of the Redis paths; started and stopped by the test.
// When no redis-server binary exists the caller skips loudly (CI installs it: see .ci/run).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RedisServer {
  url: string;
  port: number;
  /** Kills the server (SIGKILL: as a crash looks to clients). */
  kill(): Promise<void>;
  /** Starts it again on the same port, after kill(). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export function redisServerBinary(): string | undefined {
  const found = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' });
  return found.status === 0 ? found.stdout.trim() : undefined;
}

/** The reason Redis tests are skipped, or undefined when redis-server is installed. */
export function redisSkipReason(): string | undefined {
  return redisServerBinary()
    ? undefined
    : 'redis-server is not installed: Redis-backed tests are SKIPPED (apt-get install -y redis-server; .ci/run does this)';
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export async function startRedisServer(): Promise<RedisServer> {
  const binary = redisServerBinary();
  if (!binary) throw new Error(redisSkipReason());
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'portico-redis-'));
  let child: ChildProcess | undefined;

  const launch = async () => {
    child = spawn(
      binary,
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
      {
        stdio: 'ignore',
      },
    );
    await waitForPort(port);
  };
  const kill = async () => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      running.once('exit', () => resolve());
      running.kill('SIGKILL');
    });
  };

  await launch();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    kill,
    restart: launch,
    async stop() {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function waitForPort(port: number, attempts = 100): Promise<void> {
  for (let attempt = 0; attempt < attempts; attempt++) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`redis-server did not open port ${port}`);
}
