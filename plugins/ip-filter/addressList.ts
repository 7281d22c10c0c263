// Address lists compiled once into node:net BlockLists (IPv4 and IPv6 subnets, IPv4-mapped IPv6
// matched both ways), and the allow/deny decision for one client address. Pure: no server needed.
import { BlockList, isIP } from 'node:net';

export interface Cidr {
  address: string;
  prefix: number;
  family: 'ipv4' | 'ipv6';
}

/** A parsed entry, or the reason it is not one. */
export function parseCidr(value: string): Cidr | string {
  const [address = '', prefixText, extra] = value.trim().split('/');
  if (extra !== undefined) return `"${value}" is not an address or CIDR block`;
  const version = isIP(address);
  if (version === 0) return `"${value}": "${address}" is not an IPv4 or IPv6 address`;
  const max = version === 4 ? 32 : 128;
  if (prefixText === undefined) return { address, prefix: max, family: version === 4 ? 'ipv4' : 'ipv6' };
  if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > max)
    return `"${value}": the prefix length must be 0 to ${max}`;
  return { address, prefix: Number(prefixText), family: version === 4 ? 'ipv4' : 'ipv6' };
}

export function compileList(entries: readonly string[]): BlockList | undefined {
  if (entries.length === 0) return undefined;
  const list = new BlockList();
  for (const entry of entries) {
    const cidr = parseCidr(entry);
    // The schema refused bad entries already; this guards a caller that skipped it.
    if (typeof cidr === 'string') throw new Error(cidr);
    list.addSubnet(cidr.address, cidr.prefix, cidr.family);
  }
  return list;
}

/** One filter: a client passes when it is in no deny block and, if there is an allow list, in an allow block. */
export interface AddressFilter {
  allow?: BlockList;
  deny?: BlockList;
}

export function compileFilter(lists: { allow: readonly string[]; deny: readonly string[] }): AddressFilter {
  return { allow: compileList(lists.allow), deny: compileList(lists.deny) };
}

export function isEmptyFilter(filter: AddressFilter): boolean {
  return !filter.allow && !filter.deny;
}

/** Why an address is refused, or undefined when it passes every filter (each must pass). */
export function refusal(
  address: string,
  filters: readonly AddressFilter[],
): 'denied' | 'not-allowed' | undefined {
  const normal = address.replace(/%.*$/, ''); // an IPv6 zone id names the interface, not the address
  const family = isIP(normal);
  // An address we cannot read is refused wherever a list applies, never let through.
  if (family === 0) return filters.length > 0 ? 'not-allowed' : undefined;
  const type = family === 4 ? 'ipv4' : 'ipv6';
  for (const filter of filters) {
    if (filter.deny?.check(normal, type)) return 'denied';
    if (filter.allow && !filter.allow.check(normal, type)) return 'not-allowed';
  }
  return undefined;
}
