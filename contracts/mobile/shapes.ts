// The compact items the phone shows: short dates (`2026-12-01T10:00Z`), short keys, no internal
// fields (no audit ids, feed guids, blob keys, staff ids).
import { z } from 'zod';

/** An instant to the minute, or to the second when it has seconds: `2026-12-01T10:00Z`. */
export const ShortDate = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?Z$/);

export const MobileAppointment = z.strictObject({
  id: z.uuid(),
  type: z.string(),
  at: ShortDate,
  status: z.enum(['requested', 'confirmed', 'declined', 'completed', 'cancelled']),
  notes: z.string().optional(),
  program: z.uuid().optional(),
});

export const MobileProgram = z.strictObject({
  id: z.uuid(),
  title: z.string(),
  category: z.string().optional(),
  at: ShortDate.optional(),
  end: ShortDate.optional(),
});

export const MobileProgramDetail = MobileProgram.extend({
  summary: z.string().optional(),
  link: z.string().optional(),
});

export const MobileResource = z.strictObject({
  id: z.uuid(),
  title: z.string(),
  /** Bytes of the current file, its SHA-256 (hex) and the ETag its download answers with. */
  size: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  etag: z.string(),
  type: z.string(),
  v: z.number().int().positive(),
  /** Where to download it (through the gateway's public API). */
  url: z.string(),
  at: ShortDate,
});

export const MobileNotice = z.strictObject({
  id: z.uuid(),
  title: z.string(),
  status: z.string(),
  appointment: z.uuid(),
  at: ShortDate,
  read: z.boolean(),
});

export type MobileAppointment = z.infer<typeof MobileAppointment>;
export type MobileProgram = z.infer<typeof MobileProgram>;
export type MobileProgramDetail = z.infer<typeof MobileProgramDetail>;
export type MobileResource = z.infer<typeof MobileResource>;
export type MobileNotice = z.infer<typeof MobileNotice>;
