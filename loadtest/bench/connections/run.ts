// `npm run bench:connections`: the connection ceiling. One Portico (`--workers N`, pinned to one
// core) holds C idle keep-alive connections opened by several holder processes (each from its own
// loopback source address, each under the 20,000 open-files limit), raised in steps; at each step a
// light fixed-rate load measures the p99 that active clients see, against the p99 with none held
// (measured in the same run, before and after). Stops by itself at the target, at the first error
// that means "no more" (EMFILE, EADDRNOTAVAIL, the gateway closing held connections, a worker
// dying), when memory runs low, or at the time bound. Writes loadtest/results/connections-*.json.
import { fork, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { freePort } from '../../../testing/startRedisServer.ts';
import { measure, type Measurement } from '../measure.ts';
import { porticoVariantConfig } from '../porticoVariants.ts';
import { canPin, cpuSecondsOf, pinSelf, residentBytes, startTarget } from '../processes.ts';
import type { HolderCommand, HolderReport } from './holderProtocol.ts';

const { values } = parseArgs({
  options: {
    workers: { type: 'string', default: '8' },
    target: { type: 'string', default: '100000' },
    steps: { type: 'string', default: '4' },
    'per-holder': { type: 'string', default: '12500' },
    'keep-alive-timeout': { type: 'string', default: '15m' },
    'ping-seconds': { type: 'string', default: '300' },
    rate: { type: 'string', default: '200' },
    'active-connections': { type: 'string', default: '8' },
    duration: { type: 'string', default: '20' },
    variant: { type: 'string', default: 'portico-default' },
    'open-timeout-seconds': { type: 'string', default: '240' },
    'max-minutes': { type: 'string', default: '25' },
    'min-free-mib': { type: 'string', default: '2048' },
    out: { type: 'string' },
  },
});
const settings = {
  workers: Number(values.workers),
  target: Number(values.target),
  steps: Number(values.steps),
  perHolder: Number(values['per-holder']),
  keepAliveTimeout: values['keep-alive-timeout']!,
  pingSeconds: Number(values['ping-seconds']),
  activeRate: Number(values.rate),
  activeConnections: Number(values['active-connections']),
  durationSeconds: Number(values.duration),
  variant: values.variant!,
  openTimeoutSeconds: Number(values['open-timeout-seconds']),
  maxMinutes: Number(values['max-minutes']),
  minFreeMiB: Number(values['min-free-mib']),
};
const RUN_TS = fileURLToPath(new URL('../../../gateway/bin/run-ts.js', import.meta.url));
const PORTICO_BIN = fileURLToPath(new URL('../../../gateway/bin/portico.js', import.meta.url));
const HOLDER = fileURLToPath(new URL('./holder.ts', import.meta.url));
const GATEWAY_CORE = 0;
const CLIENT_CORE = 1;
const startedAt = Date.now();
const deadline = startedAt + settings.maxMinutes * 60_000;

interface GatewaySample {
  rssBytes: number;
  workers: Array<{ pid: number; rssBytes: number; fds: number }>;
  primary: { pid: number; rssBytes: number; fds: number };
  /** Established TCP connections on the public port, counted by the kernel (ss). */
  established: number | undefined;
}

interface Step {
  target: number;
  held: number;
  heldAfterMeasurement: number;
  closedByServer: number;
  clientErrors: Record<string, number>;
  gateway: GatewaySample;
  rssDeltaBytes: number;
  rssPerHeldConnectionBytes: number;
  active: Measurement;
  p99VsNoneHeld: number;
}

// --- machine -------------------------------------------------------------------------------------

function readOr(file: string, fallback = ''): string {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return fallback;
  }
}

function machine() {
  const limits = readOr('/proc/self/limits');
  const openFiles = /Max open files\s+(\d+)\s+(\d+)/.exec(limits);
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    memoryGiB: Math.round(totalmem() / 1024 ** 3),
    node: process.version,
    // Kernel major.minor only: the full release string names the host's build, which results need not carry.
    kernel: release().split('.').slice(0, 2).join('.'),
    openFilesLimit: openFiles ? { soft: Number(openFiles[1]), hard: Number(openFiles[2]) } : undefined,
    ipLocalPortRange: readOr('/proc/sys/net/ipv4/ip_local_port_range').replace(/\s+/, '-'),
    somaxconn: Number(readOr('/proc/sys/net/core/somaxconn', '0')),
    fileMax: Number(readOr('/proc/sys/fs/file-max', '0')),
  };
}

function memAvailableMiB(): number {
  const match = /MemAvailable:\s+(\d+) kB/.exec(readOr('/proc/meminfo'));
  return match ? Number(match[1]) / 1024 : Number.POSITIVE_INFINITY;
}

function fdCount(pid: number): number {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return 0;
  }
}

function establishedOn(port: number): number | undefined {
  const result = spawnSync('sh', ['-c', `ss -Htn state established '( sport = :${port} )' | wc -l`], {
    encoding: 'utf8',
  });
  return result.status === 0 ? Number(result.stdout.trim()) : undefined;
}

// --- gateway -------------------------------------------------------------------------------------

interface RunningGateway {
  child: ChildProcess;
  port: number;
  adminUrl: string;
  workerPids(): Promise<number[]>;
  stderr(): string;
}

async function startGateway(upstreamUrl: string): Promise<RunningGateway> {
  const [port, adminPort] = [await freePort(), await freePort()];
  const config = porticoVariantConfig(settings.variant, { upstreamUrl });
  config.server = {
    ...config.server,
    host: '127.0.0.1',
    port,
    admin: { port: adminPort },
    keepAliveTimeout: settings.keepAliveTimeout,
  };
  const dir = mkdtempSync(join(tmpdir(), 'portico-connections-'));
  const file = join(dir, 'portico.yaml');
  writeFileSync(file, stringify(config));
  const command = [
    process.execPath,
    PORTICO_BIN,
    'start',
    '--config',
    file,
    '--workers',
    String(settings.workers),
  ];
  const [bin, ...args] = canPin() ? ['taskset', '-c', String(GATEWAY_CORE), ...command] : command;
  // Logs are discarded, as in the side-by-side benchmark: their cost is part of the measurement.
  const child = spawn(bin!, args, {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, LOG_LEVEL: 'info' },
  });
  let stderr = '';
  child.stderr!.on('data', (data: Buffer) => (stderr = (stderr + data.toString()).slice(-4000)));
  const adminUrl = `http://127.0.0.1:${adminPort}`;
  let knownPids: number[] = [];
  const readyBy = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`gateway exited with ${child.exitCode}: ${stderr}`);
    const status = await fetch(`${adminUrl}/readyz`).then(
      (response) => response.status,
      () => 0,
    );
    if (status === 200) break;
    if (Date.now() > readyBy) throw new Error(`gateway not ready within 90 s: ${stderr}`);
    await sleep(200);
  }
  return {
    child,
    port,
    adminUrl,
    async workerPids() {
      // At the open-files limit the admin listener cannot accept either: fall back on the last
      // known pids, keeping those still alive.
      try {
        const response = await fetch(`${adminUrl}/readyz`, { signal: AbortSignal.timeout(5000) });
        const report = (await response.json()) as { workers?: Array<{ pid: number }> };
        // --workers 1: no cluster, the gateway is the one process.
        knownPids = report.workers?.map((worker) => worker.pid) ?? [child.pid!];
        return knownPids;
      } catch {
        return knownPids.filter((pid) => existsSync(`/proc/${pid}`));
      }
    },
    stderr: () => stderr,
  };
}

async function sampleGateway(gateway: RunningGateway): Promise<GatewaySample> {
  const pids = await gateway.workerPids();
  const workers = pids.map((pid) => ({ pid, rssBytes: residentBytes(pid), fds: fdCount(pid) }));
  const primaryPid = gateway.child.pid!;
  const single = pids.includes(primaryPid);
  const primary = single
    ? { pid: primaryPid, rssBytes: 0, fds: 0 }
    : { pid: primaryPid, rssBytes: residentBytes(primaryPid), fds: fdCount(primaryPid) };
  return {
    rssBytes: primary.rssBytes + workers.reduce((sum, worker) => sum + worker.rssBytes, 0),
    workers,
    primary,
    established: establishedOn(gateway.port),
  };
}

function gatewayProbe(gateway: RunningGateway, pids: number[]) {
  const all = [...new Set([gateway.child.pid!, ...pids])];
  return {
    rss: () => all.reduce((sum, pid) => sum + residentBytes(pid), 0),
    cpuSeconds: () => all.reduce((sum, pid) => sum + cpuSecondsOf(pid), 0),
  };
}

async function stopGateway(gateway: RunningGateway): Promise<number | null> {
  if (gateway.child.exitCode !== null) return gateway.child.exitCode;
  const exited = new Promise<number | null>((resolve) => gateway.child.once('exit', (code) => resolve(code)));
  gateway.child.kill('SIGTERM');
  const killer = setTimeout(() => gateway.child.kill('SIGKILL'), 60_000);
  const code = await exited;
  clearTimeout(killer);
  return code;
}

// --- holders -------------------------------------------------------------------------------------

interface Holder {
  child: ChildProcess;
  address: string;
  last: HolderReport;
  ask(command: HolderCommand, expect: HolderReport['type'], timeoutMs: number): Promise<HolderReport>;
}

async function startHolder(index: number, port: number): Promise<Holder> {
  const address = `127.0.0.${2 + index}`;
  const child = fork(RUN_TS, [HOLDER], {
    env: {
      ...process.env,
      HOLDER_TARGET_PORT: String(port),
      HOLDER_LOCAL_ADDRESS: address,
      HOLDER_PING_MS: String(settings.pingSeconds * 1000),
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const waiters: Array<{ type: HolderReport['type']; resolve(report: HolderReport): void }> = [];
  const holder: Holder = {
    child,
    address,
    last: {
      type: 'status',
      pid: child.pid ?? 0,
      open: 0,
      closedByServer: 0,
      errors: {},
      statuses: {},
      pings: 0,
    },
    ask(command, expect, timeoutMs) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`holder ${address} did not answer ${command.cmd}`)),
          timeoutMs,
        );
        waiters.push({
          type: expect,
          resolve: (report) => {
            clearTimeout(timer);
            resolve(report);
          },
        });
        child.send(command);
      });
    },
  };
  const first = new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`holder ${address} exited with ${code}`)));
    child.on('message', (report: HolderReport) => {
      holder.last = report;
      const index = waiters.findIndex((waiter) => waiter.type === report.type);
      if (index !== -1) waiters.splice(index, 1)[0]!.resolve(report);
      resolve();
    });
  });
  await first;
  return holder;
}

function sumReports(reports: HolderReport[]) {
  const errors: Record<string, number> = {};
  const statuses: Record<string, number> = {};
  for (const report of reports) {
    for (const [code, count] of Object.entries(report.errors)) errors[code] = (errors[code] ?? 0) + count;
    for (const [code, count] of Object.entries(report.statuses))
      statuses[code] = (statuses[code] ?? 0) + count;
  }
  return {
    open: reports.reduce((sum, report) => sum + report.open, 0),
    closedByServer: reports.reduce((sum, report) => sum + report.closedByServer, 0),
    pings: reports.reduce((sum, report) => sum + report.pings, 0),
    errors,
    statuses,
    fatal: reports.map((report) => report.fatal).filter(Boolean) as string[],
  };
}

// --- run -----------------------------------------------------------------------------------------

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function main(): Promise<void> {
  const pinned = pinSelf(CLIENT_CORE);
  const upstream = await startTarget('./targets/upstream.ts', {}, CLIENT_CORE);
  const gateway = await startGateway(`http://127.0.0.1:${upstream.port}`);
  const url = `http://127.0.0.1:${gateway.port}/api/v1/programs/42`;
  const holderCount = Math.ceil(settings.target / settings.perHolder);
  console.log(
    `connections: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}; ` +
      `Portico (${settings.variant}) --workers ${settings.workers}` +
      (pinned ? ` on core ${GATEWAY_CORE}, clients + upstream on core ${CLIENT_CORE}` : ' (not pinned)') +
      `; target ${settings.target} held by ${holderCount} holder processes; active load ` +
      `${settings.activeRate} req/s over ${settings.activeConnections} connections for ${settings.durationSeconds}s`,
  );

  const pids = await gateway.workerPids();
  const probe = () => gatewayProbe(gateway, pids);
  const active = () =>
    measure(
      {
        url,
        durationSeconds: settings.durationSeconds,
        connections: settings.activeConnections,
        overallRate: settings.activeRate,
      },
      probe(),
    );
  await measure(
    { url, durationSeconds: 5, connections: settings.activeConnections, overallRate: settings.activeRate },
    probe(),
  );
  const noneHeld = await active();
  const idle = await sampleGateway(gateway);
  console.log(
    `  none held: p99 ${noneHeld.latencyMs.p99.toFixed(2)} ms, gateway RSS ${mib(idle.rssBytes)} MiB`,
  );

  const holders: Holder[] = [];
  for (let index = 0; index < holderCount; index++) holders.push(await startHolder(index, gateway.port));

  const steps: Step[] = [];
  let stoppedBy = 'target reached';
  for (let step = 1; step <= settings.steps; step++) {
    const target = Math.round((settings.target * step) / settings.steps);
    const shares = holders.map(
      (_, index) => Math.floor(target / holderCount) + (index < target % holderCount ? 1 : 0),
    );
    const opened = sumReports(
      await Promise.all(
        holders.map((holder, index) =>
          holder.ask(
            { cmd: 'open', target: shares[index]!, timeoutMs: settings.openTimeoutSeconds * 1000 },
            'opened',
            settings.openTimeoutSeconds * 1000 + 30_000,
          ),
        ),
      ),
    );
    await sleep(3000);
    const sample = await sampleGateway(gateway);
    const measured = await active();
    const after = sumReports(
      await Promise.all(holders.map((holder) => holder.ask({ cmd: 'status' }, 'status', 10_000))),
    );
    const record: Step = {
      target,
      held: opened.open,
      heldAfterMeasurement: after.open,
      closedByServer: after.closedByServer,
      clientErrors: after.errors,
      gateway: sample,
      rssDeltaBytes: sample.rssBytes - idle.rssBytes,
      rssPerHeldConnectionBytes: opened.open > 0 ? (sample.rssBytes - idle.rssBytes) / opened.open : 0,
      active: measured,
      p99VsNoneHeld: measured.latencyMs.p99 / noneHeld.latencyMs.p99,
    };
    steps.push(record);
    console.log(
      `  step ${step}: held ${record.held} (after measuring ${record.heldAfterMeasurement}), ` +
        `p99 ${measured.latencyMs.p99.toFixed(2)} ms (×${record.p99VsNoneHeld.toFixed(2)}), ` +
        `RSS +${mib(record.rssDeltaBytes)} MiB = ${(record.rssPerHeldConnectionBytes / 1024).toFixed(1)} KiB/connection, ` +
        `fds/worker max ${Math.max(...sample.workers.map((worker) => worker.fds))}, established ${sample.established}`,
    );

    // Why stop here?
    const livePids = await gateway.workerPids();
    if (gateway.child.exitCode !== null) stoppedBy = `gateway exited with ${gateway.child.exitCode}`;
    else if (opened.fatal.length > 0) stoppedBy = `client side: ${[...new Set(opened.fatal)].join(', ')}`;
    else if (after.closedByServer > 0)
      stoppedBy = `the gateway closed ${after.closedByServer} held connections`;
    else if (opened.open < target * 0.999)
      stoppedBy = `opened only ${opened.open} of ${target} within ${settings.openTimeoutSeconds}s (client errors: ${JSON.stringify(opened.errors)}; gateway fds per process: ${sample.workers.map((worker) => worker.fds).join(', ')})`;
    else if (livePids.length < settings.workers || livePids.some((pid) => !pids.includes(pid)))
      stoppedBy = 'a gateway worker died (replaced by the primary)';
    else if (memAvailableMiB() < settings.minFreeMiB)
      stoppedBy = `memory: under ${settings.minFreeMiB} MiB available`;
    else if (Date.now() > deadline) stoppedBy = `time: past ${settings.maxMinutes} minutes`;
    else continue;
    break;
  }

  const final = sumReports(
    await Promise.all(holders.map((holder) => holder.ask({ cmd: 'close' }, 'closed', 30_000))),
  );
  await sleep(3000);
  const noneHeldAfter = await active();
  console.log(`  none held again: p99 ${noneHeldAfter.latencyMs.p99.toFixed(2)} ms`);
  const gatewayExit = await stopGateway(gateway);
  await upstream.stop();

  const best = steps.reduce<Step | undefined>(
    (top, step) => (!top || step.held > top.held ? step : top),
    undefined,
  );
  const summary = {
    reached: best?.held ?? 0,
    stoppedBy,
    rssPerHeldConnectionBytes: best?.rssPerHeldConnectionBytes ?? 0,
    p99NoneHeldMs: noneHeld.latencyMs.p99,
    p99NoneHeldAfterMs: noneHeldAfter.latencyMs.p99,
    p99AtReachedMs: best?.active.latencyMs.p99 ?? 0,
    p99Ratio: best?.p99VsNoneHeld ?? 0,
    p99WithinTwiceNoneHeld: (best?.p99VsNoneHeld ?? Infinity) <= 2,
    pings: final.pings,
    responseStatuses: final.statuses,
    gatewayExitCode: gatewayExit,
  };
  console.log('');
  console.log(
    ['held', 'p99 ms', '×none', 'RSS MiB', 'KiB/conn', 'max fds/worker', 'closed by gw']
      .map((title) => title.padStart(16))
      .join(''),
  );
  console.log(
    [
      0,
      noneHeld.latencyMs.p99.toFixed(2),
      '1.00',
      mib(idle.rssBytes),
      '-',
      Math.max(...idle.workers.map((w) => w.fds)),
      0,
    ]
      .map((cell) => String(cell).padStart(16))
      .join(''),
  );
  for (const step of steps)
    console.log(
      [
        step.held,
        step.active.latencyMs.p99.toFixed(2),
        step.p99VsNoneHeld.toFixed(2),
        mib(step.gateway.rssBytes),
        (step.rssPerHeldConnectionBytes / 1024).toFixed(1),
        Math.max(...step.gateway.workers.map((worker) => worker.fds)),
        step.closedByServer,
      ]
        .map((cell) => String(cell).padStart(16))
        .join(''),
    );
  console.log(`\nreached ${summary.reached} held connections; stopped by: ${stoppedBy}`);

  const resultsDir = fileURLToPath(new URL('../../results', import.meta.url));
  mkdirSync(resultsDir, { recursive: true });
  const file =
    values.out ??
    `${resultsDir}connections-${new Date().toISOString().slice(0, 10)}-w${settings.workers}.json`;
  writeFileSync(
    file,
    `${JSON.stringify(
      {
        date: new Date().toISOString(),
        machine: machine(),
        setup: {
          pinned,
          gatewayCore: pinned ? GATEWAY_CORE : undefined,
          clientCore: pinned ? CLIENT_CORE : undefined,
          holders: holders.map((holder) => holder.address),
          loadAverageAtEnd: readOr('/proc/loadavg'),
        },
        settings,
        summary,
        noneHeld: { active: noneHeld, gateway: idle },
        noneHeldAfter: { active: noneHeldAfter },
        steps,
      },
      null,
      2,
    )}\n`,
  );
  console.log(`results: ${file}`);
}

function mib(bytes: number): number {
  return Math.round(bytes / 1024 / 1024);
}

await main();
process.exit(0);
