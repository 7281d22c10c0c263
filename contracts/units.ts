// Durations and sizes as ops write them ("5s", "250ms", "100mb"), parsed once at load time.
// Shared by the gateway's config schema and every plugin's options schema (plugins may import contracts/).
import { z } from 'zod';

const DURATION_UNITS_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const SIZE_UNITS_BYTES: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };

function unitSchema(units: Record<string, number>, what: string, example: string) {
  const pattern = new RegExp(`^(\\d+(?:\\.\\d+)?)\\s*(${Object.keys(units).join('|')})$`, 'i');
  return z
    .union([z.number(), z.string()])
    .transform((value, ctx): number => {
      if (typeof value === 'number') {
        if (Number.isFinite(value) && value >= 0) return value;
      } else {
        const match = pattern.exec(value.trim());
        if (match) return Math.round(Number(match[1]) * (units[match[2]!.toLowerCase()] ?? 1));
      }
      ctx.addIssue({ code: 'custom', message: `expected a non-negative ${what} like ${example}` });
      return z.NEVER;
    })
    .meta({
      description: `A ${what}: a number, or a string like ${example}`,
      examples: [example],
    });
}

/** A duration in milliseconds: a number of ms, or "250ms", "5s", "1m", "1h". */
export const duration = () => unitSchema(DURATION_UNITS_MS, 'duration', '"5s" or "250ms"');

/** A size in bytes: a number of bytes, or "512kb", "100mb". */
export const byteSize = () => unitSchema(SIZE_UNITS_BYTES, 'size', '"100mb" or "512kb"');
