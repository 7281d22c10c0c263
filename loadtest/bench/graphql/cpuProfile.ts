// A target's CPU profile when BENCH_CPU_PROFILE names a file (--cpu-prof is not allowed in
// NODE_OPTIONS): profiling starts at import, the profile is written by the returned function.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';

export async function profileIfAsked(): Promise<() => Promise<void>> {
  const file = process.env.BENCH_CPU_PROFILE;
  if (!file) return async () => {};
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return async () => {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(file, JSON.stringify(profile));
    session.disconnect();
  };
}
