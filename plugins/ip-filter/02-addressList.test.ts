import { describe, expect, it } from 'vitest';
import { compileFilter, refusal } from './addressList.ts';

describe('address lists', () => {
  it('deny wins over allow; an allow list admits only its blocks', () => {
    const filter = compileFilter({ allow: ['10.0.0.0/8'], deny: ['10.0.9.0/24'] });
    expect(refusal('10.1.2.3', [filter])).toBeUndefined();
    expect(refusal('10.0.9.7', [filter])).toBe('denied');
    expect(refusal('192.0.2.1', [filter])).toBe('not-allowed');
  });

  it('matches IPv6 blocks, and IPv4-mapped IPv6 against IPv4 blocks and the other way round', () => {
    const v6 = compileFilter({ allow: ['2001:db8::/32'], deny: [] });
    expect(refusal('2001:db8:1::5', [v6])).toBeUndefined();
    expect(refusal('2001:db9::5', [v6])).toBe('not-allowed');
    expect(refusal('fe80::1%eth0', [compileFilter({ allow: ['fe80::/10'], deny: [] })])).toBeUndefined();
    expect(refusal('::ffff:10.0.0.5', [compileFilter({ allow: [], deny: ['10.0.0.0/8'] })])).toBe('denied');
    expect(refusal('10.0.0.5', [compileFilter({ allow: [], deny: ['::ffff:10.0.0.0/104'] })])).toBe('denied');
  });

  it('every filter must pass (a route narrows the global lists); no filter admits all', () => {
    const global = compileFilter({ allow: ['10.0.0.0/8'], deny: [] });
    const route = compileFilter({ allow: ['10.0.0.0/16'], deny: [] });
    expect(refusal('10.0.1.1', [global, route])).toBeUndefined();
    expect(refusal('10.9.1.1', [global, route])).toBe('not-allowed');
    expect(refusal('192.0.2.1', [])).toBeUndefined();
  });

  it('an address it cannot read is refused where a list applies', () => {
    expect(refusal('unknown', [compileFilter({ allow: [], deny: ['10.0.0.0/8'] })])).toBe('not-allowed');
  });
});
