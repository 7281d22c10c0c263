// `portico validate` and `portico start` with bad files, through the real CLI.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../testing/startRedisServer.ts';
import { PORTICO_BIN } from '../../testing/spawnPortico.ts';
import { DEFAULT_CONFIG_FILE } from './configFile.ts';

const dir = mkdtempSync(join(tmpdir(), 'portico-validate-'));
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}
function portico(...args: string[]) {
  return spawnSync(process.execPath, [PORTICO_BIN, ...args], { encoding: 'utf8', timeout: 60_000 });
}
const TYPESCRIPT_PLUGIN = fileURLToPath(new URL('./fixtures/typeScriptPlugin.ts', import.meta.url));

const upstreams = 'upstreams:\n  programs: { url: "http://127.0.0.1:7102" }\n';

describe('portico validate', () => {
  it('accepts the embedded default config', () => {
    const run = portico('validate', DEFAULT_CONFIG_FILE);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(': ok (');
  });

  it.each([
    [
      'unknown upstream',
      `${upstreams}routes:\n  - { path: /x, upstream: nowhere }\n`,
      'routes[0].upstream: no upstream named "nowhere"',
    ],
    ['unknown plugin', `plugins:\n  - name: nope\n`, 'plugins[0].name: unknown plugin "nope"'],
    [
      'negative timeout',
      `upstreams:\n  programs: { url: "http://127.0.0.1:7102", timeout: -1 }\n`,
      'upstreams.programs.timeout: expected a non-negative duration',
    ],
    ['YAML syntax error', `server: [unclosed\n`, 'YAML:'],
    [
      'circuit-breaker override for an unknown upstream (its validate hook)',
      `${upstreams}plugins:\n  - name: circuit-breaker\n    options: { upstreams: { progams: { volumeThreshold: 1 } } }\n`,
      'plugins[0].options.upstreams.progams: no upstream named "progams" (known: programs)',
    ],
    [
      'retry override for an unknown upstream (its validate hook)',
      `${upstreams}plugins:\n  - name: retry\n    options: { upstreams: { nowhere: false } }\n`,
      'plugins[0].options.upstreams.nowhere: no upstream named "nowhere" (known: programs)',
    ],
    [
      'rate-limit route policy named like a global one (its validate hook)',
      `${upstreams}plugins:\n  - name: rate-limit\n    options: { policies: [{ name: per-ip, by: ip, points: 10, per: 1m }] }\nroutes:\n  - { path: /x, upstream: programs, plugins: { rate-limit: { policies: [{ name: per-ip, by: ip, points: 1, per: 1m }] } } }\n`,
      'routes[0].plugins.rate-limit.policies[0].name: has a policy named "per-ip" like a global policy',
    ],
  ])('exits non-zero and names the bad key: %s', (_name, text, expected) => {
    const run = portico('validate', file(`bad-${_name.replace(/ /g, '-')}.yaml`, text));
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(expected);
    expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  // The CLI runs from its bundle (gateway/bin/bundle.js), which has no TypeScript loader until a
  // plugin module needs one; PORTICO_BUNDLE=0 runs it from the sources through tsx.
  it.each([
    ['from its bundle', {}],
    ['from the sources', { PORTICO_BUNDLE: '0' }],
  ])('loads a TypeScript plugin module named by path, %s', (_how, env) => {
    const run = (options: string) =>
      spawnSync(
        process.execPath,
        [
          PORTICO_BIN,
          'validate',
          file(
            `ts-plugin-${options.length}.yaml`,
            `plugins:\n  - module: ${TYPESCRIPT_PLUGIN}\n    options: ${options}\n`,
          ),
        ],
        { encoding: 'utf8', timeout: 60_000, env: { ...process.env, ...env } },
      );
    const good = run('{ greeting: hi }');
    expect(good.stderr).toBe('');
    expect(good.status).toBe(0);
    // Its own options schema judged the file: the module was loaded, not skipped.
    const bad = run('{ greeting: 7 }');
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('plugins[0].options.greeting');
  });

  it('reports a missing file without a stack trace', () => {
    const run = portico('validate', join(dir, 'missing.yaml'));
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('cannot read');
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('portico start with an invalid config', () => {
  it('exits non-zero before opening any port', async () => {
    const [port, adminPort] = [await freePort(), await freePort()];
    const config = file(
      'bad-start.yaml',
      `server: { port: ${port}, admin: { port: ${adminPort} } }\n${upstreams}plugins:\n  - name: nope\n`,
    );
    const run = portico('start', '--config', config);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('plugins[0].name: unknown plugin "nope"');
    for (const candidate of [port, adminPort]) {
      const open = await new Promise<boolean>((resolve) => {
        const socket = net.connect(candidate, '127.0.0.1');
        socket.once('connect', () => (socket.destroy(), resolve(true)));
        socket.once('error', () => resolve(false));
      });
      expect(open).toBe(false);
    }
  });

  it('refuses a bad PORT override with its name', () => {
    const run = spawnSync(process.execPath, [PORTICO_BIN, 'validate', DEFAULT_CONFIG_FILE], {
      encoding: 'utf8',
      env: { ...process.env, PORT: 'http' },
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('PORT: expected an integer');
  });
});
