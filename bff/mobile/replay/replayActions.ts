// POST /mobile/v1/sync/actions: each action applied at most once per user and key, answered on
// its own, in order per resource (different resources run side by side).
import { createHash } from 'node:crypto';
import type { Request } from '@hapi/hapi';
import type {
  ActionAnswer,
  ActionBatch,
  ActionOutcome,
  OfflineAction,
} from '../../../contracts/mobile/index.ts';
import type { MobileBffOptions } from '../schema.ts';
import type { CallService } from '../serviceCalls.ts';
import type { KeyValueStore } from '../stores/types.ts';
import { applyAction, resourceOf } from './applyAction.ts';
import { clockCorrection, effectiveTime } from './effectiveTime.ts';

type Entry =
  { state: 'pending'; fingerprint: string } | { state: 'done'; fingerprint: string; outcome: ActionOutcome };

export interface ReplayDeps {
  call: CallService;
  store: KeyValueStore;
  options: MobileBffOptions['replay'];
  onAnswer(status: ActionAnswer['status']): void;
  now?: () => number;
}

function fingerprintOf(action: OfflineAction): string {
  const { key: _, ...rest } = action;
  return createHash('sha256').update(JSON.stringify(rest)).digest('base64url');
}

const retryLater = (key: string, title: string, status: number): ActionAnswer => ({
  key,
  status: 'rejected',
  retryable: true,
  problem: { type: 'https://portico.dev/problems/action-not-applied', title, status },
});

export function actionReplayer(deps: ReplayDeps) {
  const now = deps.now ?? Date.now;

  async function one(
    request: Request,
    userId: string,
    action: OfflineAction,
    correction: number,
    receivedAt: number,
  ): Promise<ActionAnswer> {
    const key = `${userId}\0${action.key}`;
    const fingerprint = fingerprintOf(action);
    const claimed = await deps.store.setIfAbsent(
      key,
      JSON.stringify({ state: 'pending', fingerprint } satisfies Entry),
      deps.options.pendingTtl,
    );
    if (!claimed) {
      const stored = await deps.store.get(key);
      const entry = stored ? (JSON.parse(stored) as Entry) : undefined;
      if (!entry) return retryLater(action.key, 'The action is being applied; replay it again.', 409);
      if (entry.fingerprint !== fingerprint) {
        return {
          key: action.key,
          status: 'rejected',
          problem: {
            type: 'https://portico.dev/problems/idempotency-key-reused',
            title: 'This Idempotency-Key was used for a different action.',
            status: 422,
          },
        };
      }
      if (entry.state === 'pending')
        return retryLater(action.key, 'The action is being applied; replay it again.', 409);
      return { key: action.key, status: 'duplicate', original: entry.outcome };
    }
    let outcome: ActionOutcome;
    try {
      outcome = await applyAction(
        deps.call,
        request,
        action,
        effectiveTime(action.at, correction, receivedAt),
      );
    } catch {
      // Not applied as far as we know (a service down or past its deadline): free the key.
      await deps.store.delete(key);
      return retryLater(action.key, 'A service could not be reached; replay the action later.', 503);
    }
    await deps.store.set(
      key,
      JSON.stringify({ state: 'done', fingerprint, outcome } satisfies Entry),
      deps.options.keyTtl,
    );
    return { key: action.key, ...outcome };
  }

  return async (request: Request, userId: string, batch: ActionBatch): Promise<ActionAnswer[]> => {
    const receivedAt = now();
    const correction = clockCorrection(batch.sentAt, receivedAt, deps.options.clockSkewTolerance);
    const groups = new Map<string, number[]>();
    batch.actions.forEach((action, index) => {
      const resource = resourceOf(action);
      groups.set(resource, [...(groups.get(resource) ?? []), index]);
    });
    const answers: ActionAnswer[] = new Array(batch.actions.length);
    await Promise.all(
      [...groups.values()].map(async (indexes) => {
        for (const index of indexes) {
          answers[index] = await one(request, userId, batch.actions[index]!, correction, receivedAt);
          deps.onAnswer(answers[index].status);
        }
      }),
    );
    return answers;
  };
}
