// A plugin may not import gateway internals, so it parses its durations and sizes itself.
import { z } from 'zod';

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const SIZE_UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2 };

/** Milliseconds: a number of ms, or "250ms", "5s", "1m", "1h". */
export const duration = () =>
  z
    .union([
      z.number().min(0),
      z.string().regex(/^\d+(ms|s|m|h)$/, 'expected a duration like "25ms" or "1s"'),
    ])
    .transform((value) => {
      if (typeof value === 'number') return value;
      const [, amount, unit] = /^(\d+)(ms|s|m|h)$/.exec(value)!;
      return Number(amount) * DURATION_UNITS[unit!]!;
    });

/** Bytes: a number, or "64kb", "1mb". */
export const byteSize = () =>
  z
    .union([
      z.number().int().min(0),
      z.string().regex(/^\d+(b|kb|mb)$/i, 'expected a size like "64kb" or "1mb"'),
    ])
    .transform((value) => {
      if (typeof value === 'number') return value;
      const [, amount, unit] = /^(\d+)(b|kb|mb)$/i.exec(value)!;
      return Number(amount) * SIZE_UNITS[unit!.toLowerCase()]!;
    });
