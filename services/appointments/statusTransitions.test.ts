import { describe, expect, it } from 'vitest';
import type { Principal } from '../kit/index.ts';
import { STATUSES, transitionRefusal } from './statusTransitions.ts';

const student: Principal = { sub: 's', roles: ['student'] };
const staff: Principal = { sub: 't', roles: ['staff'] };

describe('transitionRefusal', () => {
  it('allows exactly the routed transitions for staff', () => {
    const allowed = STATUSES.flatMap((from) =>
      STATUSES.filter((to) => !transitionRefusal(staff, from, to)).map((to) => `${from}>${to}`),
    );
    expect(allowed.sort()).toEqual(
      [
        'requested>confirmed',
        'requested>declined',
        'requested>cancelled',
        'confirmed>completed',
        'confirmed>cancelled',
      ].sort(),
    );
  });

  it('lets students only cancel', () => {
    expect(transitionRefusal(student, 'requested', 'cancelled')).toBeUndefined();
    expect(transitionRefusal(student, 'confirmed', 'cancelled')).toBeUndefined();
    expect(transitionRefusal(student, 'requested', 'confirmed')).toMatch(/Only staff/);
    expect(transitionRefusal(student, 'completed', 'cancelled')).toMatch(/cannot go from completed/);
  });
});
