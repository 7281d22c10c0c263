import { z } from 'zod';
import { parseCidr } from './addressList.ts';

/** One entry: an address (`203.0.113.7`, `2001:db8::1`) or a CIDR block (`10.0.0.0/8`, `2001:db8::/32`). */
const cidr = z.string().superRefine((value, ctx) => {
  const parsed = parseCidr(value);
  if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: parsed });
});

const lists = {
  allow: z
    .array(cidr)
    .default([])
    .describe('When not empty, only clients in one of these blocks pass; empty: every address may pass'),
  deny: z
    .array(cidr)
    .default([])
    .describe('Clients in one of these blocks are refused (deny wins over allow)'),
};

export const ipFilterOptions = z.object(lists).strict();

export const ipFilterRouteOptions = z
  .object({
    ...lists,
    inherit: z
      .boolean()
      .default(true)
      .describe("Also apply the global lists (a route can only narrow them); false: only the route's own"),
  })
  .strict();

export type IpFilterOptions = z.output<typeof ipFilterOptions>;
export type IpFilterRouteOptions = z.output<typeof ipFilterRouteOptions>;
