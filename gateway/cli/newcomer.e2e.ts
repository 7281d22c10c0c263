// What a newcomer trips on first, through the real CLI: help, an empty config file, and
// `portico keys` with no gateway running.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../testing/startRedisServer.ts';
import { PORTICO_BIN } from '../../testing/spawnPortico.ts';

function portico(...args: string[]) {
  return spawnSync(process.execPath, [PORTICO_BIN, ...args], { encoding: 'utf8', timeout: 60_000 });
}

describe('the portico CLI for a newcomer', () => {
  it('--help and -h print the usage and exit 0', () => {
    for (const flag of ['--help', '-h']) {
      const run = portico(flag);
      expect(run.status).toBe(0);
      expect(run.stdout).toMatch(/^usage: portico <command>/);
      expect(run.stdout).toMatch(/dev \[--config FILE\] \[--data-dir DIR\] \[--fresh\]/);
    }
  });

  it('an empty config file (or only comments) is invalid, naming why', () => {
    const dir = mkdtempSync(join(tmpdir(), 'portico-empty-'));
    for (const [name, text] of [
      ['empty.yaml', ''],
      ['comments.yaml', '# nothing yet\n\n'],
    ]) {
      const file = join(dir, name!);
      writeFileSync(file, text!);
      const run = portico('validate', file);
      expect(run.status).toBe(1);
      expect(run.stderr).toContain(`${file}: invalid config`);
      expect(run.stderr).toMatch(/\(root\): the file is empty/);
    }
  });

  it('portico keys with the gateway down names the admin URL and what to do, not "fetch failed"', async () => {
    const admin = `http://127.0.0.1:${await freePort()}`;
    const run = portico('keys', 'list', '--admin', admin);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`cannot reach the gateway's admin API at ${admin} (ECONNREFUSED)`);
    expect(run.stderr).toMatch(/npm start/);
    expect(run.stderr).not.toMatch(/fetch failed/);
  });
});
