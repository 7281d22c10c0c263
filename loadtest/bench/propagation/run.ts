// `npm run bench:propagation`: how long a pushed config version takes to run everywhere. Three
// `portico start` processes share one real redis-server (the shared history); the bench pushes
// versions one after another through the admin API and, for each, reads the three
// acknowledgements the instances write to Redis.
//
// What is measured, per version v (one machine, so one clock; every instant is
// performance.timeOrigin + performance.now() of the process that took it, in epoch ms):
//   push     the bench's instant just before it sends POST /config/versions
//   applied  each instance's instant right after its front listener swapped to the new build (the
//            ack's atMs): from then on every new request runs v
//   push-to-last-ack = max over the three instances of applied − push
// and its parts: accept (the accepting instance validated, built and recorded it: acceptedAtMs −
// push), fan-out (acceptedAtMs → each other instance learnt of it: its receivedAtMs) and remote
// apply (receivedAtMs → applied: read the version, validate it in full, build the gateway, swap).
// Versions are pushed one at a time (the next once all three have acknowledged), each to the next
// instance in turn (--push-to rotate) or always to the first (--push-to first).
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, release, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { stringify } from 'yaml';
import { spawnPortico, type PorticoProcess } from '../../../testing/spawnPortico.ts';
import { freePort, startRedisServer } from '../../../testing/startRedisServer.ts';
import { startUpstream } from '../../../testing/startUpstream.ts';
import type { InstanceAck } from '../../../gateway/versions/versionRecord.ts';
import { benchConfig } from './benchConfig.ts';

const { values } = parseArgs({
  options: {
    versions: { type: 'string', default: '200' },
    instances: { type: 'string', default: '3' },
    'push-to': { type: 'string', default: 'rotate' },
    routes: { type: 'string', default: '20' },
    out: { type: 'string' },
  },
});
const settings = {
  versions: Number(values.versions),
  instances: Number(values.instances),
  pushTo: values['push-to'] === 'first' ? ('first' as const) : ('rotate' as const),
  routes: Number(values.routes),
};
const TOKEN = 'propagation-bench-admin-token';
const PREFIX = '{portico:config}';
const ACK_WAIT_MS = 30_000;
const now = () => performance.timeOrigin + performance.now();

interface Instance {
  id: string;
  process: PorticoProcess;
  admin: string;
}

interface Sample {
  version: number;
  pushedTo: string;
  pushToLastAckMs: number;
  acceptMs: number;
  fanOutMs: number[];
  remoteApplyMs: number[];
  refused: string[];
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function summary(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  const round = (value: number) => Math.round(value * 100) / 100;
  return {
    count: sorted.length,
    p50: round(percentile(sorted, 50)),
    p95: round(percentile(sorted, 95)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted.at(-1) ?? Number.NaN),
  };
}

async function main(): Promise<void> {
  const redis = await startRedisServer();
  const upstream = await startUpstream();
  const dir = mkdtempSync(join(tmpdir(), 'portico-propagation-'));
  const reader = new Redis(redis.url);
  const instances: Instance[] = [];
  try {
    // 1. The instances: the first seeds the empty history, the others find it there.
    for (let index = 0; index < settings.instances; index++) {
      const id = String.fromCharCode(97 + index);
      const [port, adminPort] = [await freePort(), await freePort()];
      const file = join(dir, `${id}.yaml`);
      writeFileSync(
        file,
        stringify({
          ...benchConfig(upstream.url, 1, settings.routes),
          server: { host: '127.0.0.1', port, admin: { port: adminPort } },
          redis: { url: redis.url },
          versions: { store: 'redis', instanceId: id, watch: false },
        }),
      );
      const process = spawnPortico(['start', '--config', file], {
        PORTICO_ADMIN_TOKEN: TOKEN,
        LOG_LEVEL: 'warn',
      });
      instances.push({ id, process, admin: `http://127.0.0.1:${adminPort}` });
      await waitForAdmin(`http://127.0.0.1:${adminPort}`, process);
    }
    await acksOf(reader, 1, settings.instances);

    // 2. The pushes, one at a time.
    const samples: Sample[] = [];
    for (let index = 0; index < settings.versions; index++) {
      const n = index + 2;
      const target = settings.pushTo === 'first' ? instances[0]! : instances[index % instances.length]!;
      const pushedAt = now();
      const response = await fetch(`${target.admin}/config/versions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
        body: JSON.stringify({
          config: benchConfig(upstream.url, n, settings.routes),
          message: `bench ${n}`,
        }),
      });
      const answer = (await response.json()) as { version?: { number: number; acceptedAtMs: number } };
      if (response.status !== 201 || answer.version?.number !== n)
        throw new Error(`push ${n} to ${target.id}: ${response.status} ${JSON.stringify(answer)}`);
      const acks = await acksOf(reader, n, settings.instances);
      const accepted = answer.version.acceptedAtMs;
      const others = acks.filter((ack) => ack.instance !== target.id);
      samples.push({
        version: n,
        pushedTo: target.id,
        pushToLastAckMs: Math.max(...acks.map((ack) => ack.atMs)) - pushedAt,
        acceptMs: accepted - pushedAt,
        fanOutMs: others.map((ack) => (ack.receivedAtMs ?? ack.atMs) - accepted),
        remoteApplyMs: others.map((ack) => ack.atMs - (ack.receivedAtMs ?? ack.atMs)),
        refused: acks
          .filter((ack) => ack.status !== 'applied')
          .map((ack) => `${ack.instance}: ${ack.reason}`),
      });
      if ((index + 1) % 50 === 0) console.error(`${index + 1}/${settings.versions} versions`);
    }

    // 3. The report.
    const result = {
      bench: 'propagation',
      date: new Date().toISOString(),
      machine: { cpus: cpus().length, model: cpus()[0]?.model, kernel: release(), node: process.version },
      settings,
      definition:
        'push-to-last-ack = max over instances of (instant the instance swapped to the version) - (instant the bench sent the push); accept = recorded by the accepting instance - push; fan-out = learnt by another instance - recorded; remote apply = swapped - learnt',
      pushToLastAckMs: summary(samples.map((sample) => sample.pushToLastAckMs)),
      acceptMs: summary(samples.map((sample) => sample.acceptMs)),
      fanOutMs: summary(samples.flatMap((sample) => sample.fanOutMs)),
      remoteApplyMs: summary(samples.flatMap((sample) => sample.remoteApplyMs)),
      refused: samples.flatMap((sample) => sample.refused),
      samples,
    };
    console.log(`propagation of ${settings.versions} versions across ${settings.instances} instances (ms):`);
    const row = (name: string, s: ReturnType<typeof summary>) =>
      console.log(
        `  ${name.padEnd(18)} p50 ${s.p50}\tp95 ${s.p95}\tp99 ${s.p99}\tmax ${s.max}\t(n=${s.count})`,
      );
    row('push-to-last-ack', result.pushToLastAckMs);
    row('accept', result.acceptMs);
    row('fan-out', result.fanOutMs);
    row('remote apply', result.remoteApplyMs);
    if (result.refused.length) console.log(`  refused: ${result.refused.length}`);
    const out =
      values.out ??
      join(
        fileURLToPath(new URL('../../results/', import.meta.url)),
        `propagation-${result.date.slice(0, 10)}.json`,
      );
    mkdirSync(join(out, '..'), { recursive: true });
    writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
    console.log(`written: ${out}`);
  } finally {
    for (const instance of instances) instance.process.child.kill('SIGTERM');
    await Promise.all(instances.map((instance) => instance.process.exited));
    reader.disconnect();
    await upstream.close();
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function waitForAdmin(admin: string, process: PorticoProcess): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (process.child.exitCode !== null) throw new Error(`an instance exited: ${process.stderr()}`);
    const ready = await fetch(`${admin}/healthz`).then(
      (response) => response.ok,
      () => false,
    );
    if (ready) return;
    if (Date.now() > deadline) throw new Error(`${admin} did not come up`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The acks of version `number` once `count` instances have written theirs (read from Redis, not through an instance). */
async function acksOf(reader: Redis, number: number, count: number): Promise<InstanceAck[]> {
  const deadline = Date.now() + ACK_WAIT_MS;
  for (;;) {
    const acks = (await reader.hvals(`${PREFIX}:acks:${number}`)).map(
      (text) => JSON.parse(text) as InstanceAck,
    );
    if (acks.length >= count) return acks;
    if (Date.now() > deadline)
      throw new Error(`version ${number}: ${acks.length} of ${count} acks after ${ACK_WAIT_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
