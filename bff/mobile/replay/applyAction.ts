// One offline action against its service. Appointment edits carry their effective time as
// `writtenAt`: the appointments service applies last-write-wins inside its own transaction.
import type { Request } from '@hapi/hapi';
import type { ActionOutcome, OfflineAction } from '../../../contracts/mobile/index.ts';
import type { Appointment, Notice } from '../compact.ts';
import { mobileAppointment, mobileNotice, shortDate } from '../compact.ts';
import { ServiceError, type CallService } from '../serviceCalls.ts';

const ROUTE_ID = 'mobile.sync.actions';

/** What orders actions: the same resource's actions are applied one after another, in batch order. */
export function resourceOf(action: OfflineAction): string {
  switch (action.type) {
    case 'book':
      return `book\0${action.key}`;
    case 'register':
      return `program\0${action.program}`;
    case 'markRead':
      return `notice\0${action.notice}`;
    default:
      return `appointment\0${action.appointment}`;
  }
}

async function perform(call: CallService, request: Request, action: OfflineAction, writtenAt: string) {
  const common = { routeId: ROUTE_ID, followClient: false } as const;
  const edit = async (id: string, changes: object) =>
    mobileAppointment(
      await call<Appointment>(request, 'appointments', {
        ...common,
        method: 'PUT',
        path: `/appointments/${id}`,
        json: { ...changes, writtenAt },
      }),
    );
  switch (action.type) {
    case 'book':
      return mobileAppointment(
        await call<Appointment>(request, 'appointments', {
          ...common,
          method: 'POST',
          path: '/appointments',
          json: { serviceType: action.serviceType, startsAt: action.startsAt, notes: action.notes },
        }),
      );
    case 'cancel':
      return edit(action.appointment, { status: 'cancelled' });
    case 'reschedule':
      return edit(action.appointment, { startsAt: action.startsAt });
    case 'editNotes':
      return edit(action.appointment, { notes: action.notes });
    case 'register': {
      const registration = await call<{ registeredAt: string }>(request, 'programs', {
        ...common,
        method: 'POST',
        path: `/programs/${action.program}/register`,
      });
      return { program: action.program, at: shortDate(registration.registeredAt) };
    }
    case 'markRead':
      return mobileNotice(
        await call<Notice>(request, 'appointments', {
          ...common,
          method: 'POST',
          path: `/notices/${action.notice}/read`,
        }),
      );
  }
}

/** The outcome to record; throws only for a passing failure (the action may be tried again). */
export async function applyAction(
  call: CallService,
  request: Request,
  action: OfflineAction,
  writtenAt: string,
): Promise<ActionOutcome> {
  try {
    return { status: 'applied', result: await perform(call, request, action, writtenAt) };
  } catch (error) {
    if (!(error instanceof ServiceError) || !error.isClientError) throw error;
    const problem = problemOf(error);
    if (error.problem?.code === 'stale-write' && error.problem.current) {
      return {
        status: 'conflict',
        result: mobileAppointment(error.problem.current as Appointment),
        problem,
      };
    }
    return { status: 'rejected', problem };
  }
}

function problemOf(error: ServiceError) {
  const source = error.problem ?? {};
  return {
    type: typeof source.type === 'string' ? source.type : 'about:blank',
    title: typeof source.title === 'string' ? source.title : 'Rejected',
    status: error.status,
    ...(typeof source.detail === 'string' ? { detail: source.detail } : {}),
    ...(typeof source.code === 'string' ? { code: source.code } : {}),
  };
}
