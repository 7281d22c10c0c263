import { describe, expect, it } from 'vitest';
import { ipFilterOptions, ipFilterRouteOptions } from './schema.ts';
import { configIssuesOf, MINIMAL_CONFIG } from '../../testing/index.ts';

describe('ip-filter options schema', () => {
  it('defaults to no lists: every address passes', () => {
    expect(ipFilterOptions.parse({})).toEqual({ allow: [], deny: [] });
    expect(ipFilterRouteOptions.parse({})).toEqual({ allow: [], deny: [], inherit: true });
  });

  it('takes IPv4 and IPv6 addresses and blocks, IPv4-mapped IPv6 too', () => {
    const lists = ['10.0.0.0/8', '203.0.113.7', '2001:db8::/32', '::1', '::ffff:192.0.2.0/120', '0.0.0.0/0'];
    expect(ipFilterOptions.parse({ allow: lists }).allow).toEqual(lists);
  });

  it('refuses what is not an address or block, naming the entry', () => {
    for (const bad of [
      '10.0.0.0/33',
      '2001:db8::/129',
      'localhost',
      '10.0.0/8',
      '10.0.0.0/8/1',
      '10.0.0.0/x',
    ]) {
      const result = ipFilterOptions.safeParse({ deny: [bad] });
      expect(result.success, bad).toBe(false);
      expect(result.error!.issues[0]!.message).toContain(bad);
    }
    expect(ipFilterOptions.safeParse({ block: [] }).success).toBe(false);
  });

  it('config errors name the path of the bad entry', async () => {
    const issues = await configIssuesOf({
      ...MINIMAL_CONFIG,
      plugins: [{ name: 'ip-filter', options: { deny: ['10.0.0.0/8', 'nope'] } }],
    });
    expect(issues.some((issue) => issue.startsWith('plugins[0].options.deny[1]: "nope"'))).toBe(true);
  });
});
