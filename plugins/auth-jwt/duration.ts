// A plugin may not import gateway internals, so it parses its duration options itself (milliseconds out).
import { z } from 'zod';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

export const duration = () =>
  z
    .union([z.number().min(0), z.string().regex(/^\d+(ms|s|m|h)$/, 'expected a duration like "30s" or "5m"')])
    .transform((value) => {
      if (typeof value === 'number') return value;
      const [, amount, unit] = /^(\d+)(ms|s|m|h)$/.exec(value)!;
      return Number(amount) * UNITS[unit!]!;
    });
