import { describe, expect, it } from 'vitest';
import { clientIp } from './clientIp.ts';

describe('clientIp', () => {
  it('uses the socket peer and ignores X-Forwarded-For when no proxy is trusted', () => {
    expect(clientIp('::ffff:10.0.0.9', '1.2.3.4', 0)).toBe('10.0.0.9');
  });
  it('behind one trusted proxy takes the address that proxy appended, not what the client wrote', () => {
    expect(clientIp('10.0.0.1', '6.6.6.6, 203.0.113.7', 1)).toBe('203.0.113.7');
  });
  it('behind two trusted proxies skips both', () => {
    expect(clientIp('10.0.0.1', '6.6.6.6, 203.0.113.7, 10.0.0.2', 2)).toBe('203.0.113.7');
  });
  it('never walks past the first entry when fewer hops arrived than proxies are trusted', () => {
    expect(clientIp('10.0.0.1', '203.0.113.7', 3)).toBe('203.0.113.7');
  });
});
