// The options schema: every default present, bad values named by their path.
import { describe, expect, it } from 'vitest';
import { configIssuesOf } from '../../testing/index.ts';
import mobileBff from './index.ts';
import { mobileBffOptions } from './schema.ts';

const upstreams = {
  programs: { url: 'http://127.0.0.1:7102' },
  appointments: { url: 'http://127.0.0.1:7103' },
  resources: { url: 'http://127.0.0.1:7104' },
};

describe('mobile-bff options', () => {
  it('has a default for everything', () => {
    const options = mobileBffOptions.parse({});
    expect(options.deadline).toBe(2000);
    expect(options.compression.minBytes).toBe(1024);
    expect(options.sync.cursorMaxAge).toBe(720 * 3_600_000);
    expect(options.replay.clockSkewTolerance).toBe(60_000);
    expect(options.upstreams).toEqual({
      programs: 'programs',
      appointments: 'appointments',
      resources: 'resources',
    });
  });

  it('names the path of a bad option', async () => {
    expect(
      await configIssuesOf({
        upstreams,
        plugins: [{ name: 'mobile-bff', options: { compression: { gzipLevel: 12 } } }],
      }),
    ).toEqual([expect.stringMatching(/^plugins\[0\]\.options\.compression\.gzipLevel: /)]);
    expect(
      await configIssuesOf({ upstreams, plugins: [{ name: 'mobile-bff', options: { deadline: 'soon' } }] }),
    ).toEqual([expect.stringMatching(/^plugins\[0\]\.options\.deadline: expected a non-negative duration/)]);
  });

  it('refuses an upstream the config does not have (validate hook)', () => {
    const options = mobileBffOptions.parse({});
    expect(
      mobileBff.validate!(options, {
        pluginPath: 'plugins[0]',
        upstreams: ['programs', 'appointments'],
        routes: [],
        plugins: [],
      }),
    ).toEqual([
      {
        path: 'plugins[0].options.upstreams.resources',
        message: 'no upstream named "resources" (known: programs, appointments)',
      },
    ]);
  });
});
