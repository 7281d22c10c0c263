// Status routing: requested → confirmed | declined | cancelled; confirmed → completed | cancelled.
// Students may only cancel their own; staff and admins move appointments along.
import type { Principal } from '../kit/index.ts';
import { hasRole } from '../kit/index.ts';

export const STATUSES = ['requested', 'confirmed', 'declined', 'completed', 'cancelled'] as const;
export type Status = (typeof STATUSES)[number];

const NEXT: Record<Status, Status[]> = {
  requested: ['confirmed', 'declined', 'cancelled'],
  confirmed: ['completed', 'cancelled'],
  declined: [],
  completed: [],
  cancelled: [],
};

/** Why `principal` may not move an appointment from `from` to `to`, or undefined when allowed. */
export function transitionRefusal(principal: Principal, from: Status, to: Status): string | undefined {
  if (!NEXT[from].includes(to)) return `An appointment cannot go from ${from} to ${to}.`;
  if (to !== 'cancelled' && !hasRole(principal, 'staff', 'admin')) {
    return `Only staff can set an appointment to ${to}.`;
  }
  return undefined;
}

export function isLive(status: Status): boolean {
  return status === 'requested' || status === 'confirmed';
}
