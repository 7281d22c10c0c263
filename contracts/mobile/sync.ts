// Delta sync (GET /mobile/v1/sync) and offline replay (POST /mobile/v1/sync/actions).
import { z } from 'zod';
import { MobileAppointment, MobileNotice, MobileProgram, MobileResource } from './shapes.ts';

export const Tombstone = z.strictObject({ id: z.uuid(), why: z.enum(['cancelled', 'declined']) });

export const SyncAnswer = z.strictObject({
  /** Pass back as `since` next time. */
  cursor: z.string(),
  /** More changes wait: call again with the new cursor at once. */
  more: z.boolean(),
  /** Parts that could not be read this time; their part of the cursor did not move. */
  unavailable: z.array(z.enum(['programs', 'resources', 'appointments'])),
  programs: z.strictObject({ changed: z.array(MobileProgram) }),
  resources: z.strictObject({ changed: z.array(MobileResource) }),
  appointments: z.strictObject({ changed: z.array(MobileAppointment), deleted: z.array(Tombstone) }),
});

/** The problem `code` of a 410 to GET /sync: drop the local copy and sync from scratch. */
export const RESYNC_REQUIRED = 'resync-required';

const actionBase = {
  /** The action's own Idempotency-Key: the same key is applied at most once per user. */
  key: z.string().min(8).max(200),
  /** The phone's clock when the user acted (ISO 8601 with offset). */
  at: z.iso.datetime({ offset: true }),
};

export const OfflineAction = z.discriminatedUnion('type', [
  z.strictObject({
    ...actionBase,
    type: z.literal('book'),
    serviceType: z.string().min(1).max(64),
    startsAt: z.iso.datetime({ offset: true }),
    notes: z.string().max(2000).optional(),
  }),
  z.strictObject({ ...actionBase, type: z.literal('cancel'), appointment: z.uuid() }),
  z.strictObject({
    ...actionBase,
    type: z.literal('reschedule'),
    appointment: z.uuid(),
    startsAt: z.iso.datetime({ offset: true }),
  }),
  z.strictObject({
    ...actionBase,
    type: z.literal('editNotes'),
    appointment: z.uuid(),
    notes: z.string().max(2000),
  }),
  z.strictObject({ ...actionBase, type: z.literal('register'), program: z.uuid() }),
  z.strictObject({ ...actionBase, type: z.literal('markRead'), notice: z.uuid() }),
]);

export const ActionBatch = z.strictObject({
  /** The phone's clock when it sent the batch: lets the BFF correct a skewed clock. */
  sentAt: z.iso.datetime({ offset: true }).optional(),
  actions: z.array(OfflineAction).min(1).max(100),
});

export const Registration = z.strictObject({ program: z.uuid(), at: z.string() });

export const ActionResult = z.union([MobileAppointment, MobileNotice, Registration]);

const Problem = z.looseObject({ type: z.string(), title: z.string(), status: z.number().int() });

export const ActionOutcome = z.strictObject({
  status: z.enum(['applied', 'conflict', 'rejected']),
  /** applied: the item as it is now; conflict: the item as the later write left it. */
  result: ActionResult.optional(),
  problem: Problem.optional(),
  /** rejected for a passing reason (a service was down): keep it queued and replay it later. */
  retryable: z.boolean().optional(),
});

export const ActionAnswer = z.strictObject({
  key: z.string(),
  status: z.enum(['applied', 'duplicate', 'conflict', 'rejected']),
  result: ActionResult.optional(),
  problem: Problem.optional(),
  retryable: z.boolean().optional(),
  /** On a duplicate: what the first application answered. */
  original: ActionOutcome.optional(),
});

export const ActionsAnswer = z.strictObject({ results: z.array(ActionAnswer) });

export type OfflineAction = z.infer<typeof OfflineAction>;
export type ActionBatch = z.infer<typeof ActionBatch>;
export type ActionOutcome = z.infer<typeof ActionOutcome>;
export type ActionAnswer = z.infer<typeof ActionAnswer>;
export type SyncAnswer = z.infer<typeof SyncAnswer>;
export type Tombstone = z.infer<typeof Tombstone>;
