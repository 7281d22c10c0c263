// The screens of /mobile/v1: each answer is made of sections; a section says whether it is fresh,
// a stale last-good copy (with its age in seconds) or unavailable (no copy to show).
import { z } from 'zod';
import {
  MobileAppointment,
  MobileNotice,
  MobileProgram,
  MobileProgramDetail,
  MobileResource,
} from './shapes.ts';

export const SectionStatus = z.enum(['fresh', 'stale', 'unavailable']);

const sectionMeta = {
  status: SectionStatus,
  /** Seconds since the copy was fetched; only on stale sections. */
  age: z.number().int().nonnegative().optional(),
};

/** A list section: `next` is the cursor of the following page, when there is one. */
export function listSection<T extends z.ZodType>(item: T) {
  return z.strictObject({ ...sectionMeta, items: z.array(item), next: z.string().optional() });
}

export const HomeScreen = z.strictObject({
  appointments: listSection(MobileAppointment),
  programs: listSection(MobileProgram),
  resources: listSection(MobileResource),
  notices: z.strictObject({
    ...sectionMeta,
    unread: z.number().int().nonnegative(),
    items: z.array(MobileNotice),
  }),
});

export const ProgramsScreen = z.strictObject({ programs: listSection(MobileProgram) });
export const ProgramScreen = z.strictObject({
  program: z.strictObject({ ...sectionMeta, item: MobileProgramDetail.optional() }),
});
export const ResourcesScreen = z.strictObject({ resources: listSection(MobileResource) });
export const AppointmentsScreen = z.strictObject({ appointments: listSection(MobileAppointment) });
export const SlotsScreen = z.strictObject({
  slots: z.strictObject({ ...sectionMeta, type: z.string(), date: z.string(), items: z.array(z.string()) }),
});
export const DeviceRegistration = z.strictObject({ id: z.uuid(), platform: z.enum(['ios', 'android']) });

export type HomeScreen = z.infer<typeof HomeScreen>;
export type SectionStatus = z.infer<typeof SectionStatus>;
