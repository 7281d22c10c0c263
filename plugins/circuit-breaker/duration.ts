// A plugin may not import gateway internals, so it parses its duration options itself.
import { z } from 'zod';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Milliseconds: a number of ms, or "250ms", "5s", "1m", "1h". */
export const duration = () =>
  z
    .union([
      z.number().min(0),
      z.string().regex(/^\d+(ms|s|m|h)$/, 'expected a duration like "30s" or "250ms"'),
    ])
    .transform((value) => {
      if (typeof value === 'number') return value;
      const [, amount, unit] = /^(\d+)(ms|s|m|h)$/.exec(value)!;
      return Number(amount) * UNITS[unit!]!;
    });
