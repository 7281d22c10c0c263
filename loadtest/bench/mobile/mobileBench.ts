// The mobile rows of `npm run bench`: GET /mobile/v1/home (four services fanned out by the BFF)
// beside a client making the same four REST calls one after another through the gateway; and the
// bytes per screen of each. Closed loop: `connections` clients each load a screen, then the next.
import { brotliCompressSync, gzipSync } from 'node:zlib';
import * as hdr from 'hdr-histogram-js';
import { Agent, request } from 'undici';
import { startTestServices } from '../../../services/testing/index.ts';
import { startTarget, type Started } from '../processes.ts';

export interface MobileBenchSettings {
  durationSeconds: number;
  warmupSeconds: number;
  connections: number;
  sutCore: number;
}

interface ScreenRow {
  name: string;
  describe: string;
  screensPerSecond: number;
  latencyMs: { p50: number; p99: number };
  cpuMicrosPerScreen: number;
  errors: number;
}

interface ScreenBytes {
  identity: number;
  gzip: number;
  br: number;
}

export interface MobileBenchResult {
  rows: ScreenRow[];
  bytesPerScreen: { home: ScreenBytes; rest: ScreenBytes };
}

/** This week, as the home screen asks for it. */
function weekOf(now: Date): { from: string; to: string } {
  const day = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const monday = day - ((new Date(day).getUTCDay() + 6) % 7) * 86_400_000;
  return { from: new Date(monday).toISOString(), to: new Date(monday + 7 * 86_400_000 - 1).toISOString() };
}

async function loop(
  agent: Agent,
  paths: string[],
  base: string,
  headers: Record<string, string>,
  settings: { seconds: number; connections: number },
  probe: Started,
): Promise<Omit<ScreenRow, 'name' | 'describe'>> {
  const histogram = hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 60_000_000,
    numberOfSignificantValueDigits: 3,
  });
  let screens = 0;
  let errors = 0;
  const cpuBefore = probe.cpuSeconds();
  const started = performance.now();
  const end = started + settings.seconds * 1000;
  await Promise.all(
    Array.from({ length: settings.connections }, async () => {
      while (performance.now() < end) {
        const t0 = performance.now();
        let ok = true;
        for (const path of paths) {
          const response = await request(base + path, { dispatcher: agent, headers }).catch(() => undefined);
          if (!response) {
            ok = false;
            break;
          }
          await response.body.arrayBuffer();
          if (response.statusCode !== 200) ok = false;
        }
        if (!ok) errors += 1;
        screens += 1;
        histogram.recordValue(Math.max(1, Math.round((performance.now() - t0) * 1000)));
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  const cpu = probe.cpuSeconds() - cpuBefore;
  return {
    screensPerSecond: screens / elapsed,
    latencyMs: {
      p50: histogram.getValueAtPercentile(50) / 1000,
      p99: histogram.getValueAtPercentile(99) / 1000,
    },
    cpuMicrosPerScreen: (cpu / Math.max(1, screens)) * 1e6,
    errors,
  };
}

async function bytesOf(base: string, path: string, headers: Record<string, string>): Promise<Buffer> {
  const response = await request(base + path, { headers: { ...headers, 'accept-encoding': 'identity' } });
  const body = Buffer.from(await response.body.arrayBuffer());
  if (response.statusCode !== 200) throw new Error(`${path} answered ${response.statusCode}`);
  return body;
}

export async function mobileBench(settings: MobileBenchSettings): Promise<MobileBenchResult> {
  // The services run in the load generator's process; the gateway alone is on the measured core.
  const services = await startTestServices();
  const student = await services.createUser('student');
  const staff = await services.createUser('staff');
  const admin = await services.adminToken();
  const headers = { authorization: `Bearer ${student.accessToken}` };
  const year = new Date().getUTCFullYear() + 1;
  for (let i = 0; i < 3; i += 1) {
    const booked = await fetch(`${services.urls.appointments}/appointments`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({
        serviceType: 'counseling',
        startsAt: new Date(Date.UTC(year, 0, 5, 9 + i)).toISOString(),
        notes: `visit ${i}`,
      }),
    });
    const { id } = (await booked.json()) as { id: string };
    await fetch(`${services.urls.appointments}/appointments/${id}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${staff.accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ status: 'confirmed' }),
    });
  }
  for (let i = 0; i < 3; i += 1) {
    const form = new FormData();
    form.set('title', `Self-care guide ${i}`);
    form.set(
      'file',
      new Blob([`%PDF-1.7\n% guide ${i}\n%%EOF\n`], { type: 'application/pdf' }),
      `guide-${i}.pdf`,
    );
    await fetch(`${services.urls.resources}/resources`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}` },
      body: form,
    });
  }
  const gateway = await startTarget(
    './targets/porticoMobile.ts',
    { BENCH_SERVICES: JSON.stringify(services.urls), BENCH_ISSUER: services.issuer },
    settings.sutCore,
  );
  const base = `http://127.0.0.1:${gateway.port}`;
  const minute = new Date(Math.floor(Date.now() / 60_000) * 60_000).toISOString();
  const week = weekOf(new Date());
  const enc = encodeURIComponent;
  const restPaths = [
    `/api/v1/appointments?from=${enc(minute)}&live=true&limit=3`,
    `/api/v1/programs/filter?from=${enc(week.from)}&to=${enc(week.to)}&limit=10`,
    '/api/v1/resources?limit=10',
    '/api/v1/notices?unread=true&limit=5',
  ];
  const agent = new Agent({ connections: settings.connections, keepAliveTimeout: 30_000 });
  try {
    const home = await bytesOf(base, '/mobile/v1/home', headers);
    const rest = await Promise.all(restPaths.map((path) => bytesOf(base, path, headers)));
    const restJoined = Buffer.concat(rest);
    const bytesPerScreen = {
      home: { identity: home.length, gzip: gzipSync(home).length, br: brotliCompressSync(home).length },
      rest: {
        identity: restJoined.length,
        // Each response compressed on its own, as four separate answers would be.
        gzip: rest.reduce((sum, body) => sum + gzipSync(body).length, 0),
        br: rest.reduce((sum, body) => sum + brotliCompressSync(body).length, 0),
      },
    };
    const rows: ScreenRow[] = [];
    const specs = [
      {
        name: 'mobile-home',
        describe: 'GET /mobile/v1/home: the BFF fans out to four services in parallel',
        paths: ['/mobile/v1/home'],
      },
      {
        name: 'rest-4-sequential',
        describe: 'the same four REST calls, one after another, through the gateway',
        paths: restPaths,
      },
    ];
    for (const spec of specs) {
      await loop(
        agent,
        spec.paths,
        base,
        headers,
        { seconds: settings.warmupSeconds, connections: settings.connections },
        gateway,
      );
      const measured = await loop(
        agent,
        spec.paths,
        base,
        headers,
        { seconds: settings.durationSeconds, connections: settings.connections },
        gateway,
      );
      rows.push({ name: spec.name, describe: spec.describe, ...measured });
    }
    return { rows, bytesPerScreen };
  } finally {
    await agent.close();
    await gateway.stop();
    await services.stop();
  }
}

export function printMobileBench(result: MobileBenchResult): void {
  const [home, rest] = result.rows;
  console.log('\nmobile screens (one home screen per iteration; closed loop):');
  for (const row of result.rows) {
    console.log(
      `  ${row.name.padEnd(18)} ${row.screensPerSecond.toFixed(0).padStart(6)} screens/s  p50 ${row.latencyMs.p50.toFixed(2)} ms  ` +
        `p99 ${row.latencyMs.p99.toFixed(2)} ms  CPU ${row.cpuMicrosPerScreen.toFixed(0)} µs/screen  errors ${row.errors}`,
    );
  }
  if (home && rest) {
    console.log(
      `  mobile-home vs rest-4-sequential: ${(home.screensPerSecond / rest.screensPerSecond).toFixed(2)}× screens/s, ` +
        `${(home.latencyMs.p50 / rest.latencyMs.p50).toFixed(2)}× p50`,
    );
  }
  const { home: h, rest: r } = result.bytesPerScreen;
  console.log(
    `  bytes per screen: home ${h.identity} (gzip ${h.gzip}, br ${h.br}) vs four REST answers ${r.identity} ` +
      `(gzip ${r.gzip}, br ${r.br}): ${(h.identity / r.identity).toFixed(2)}× raw, ${(h.br / r.br).toFixed(2)}× br`,
  );
}
