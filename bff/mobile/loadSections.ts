// A screen's sections, loaded in parallel. A section that fails (service down, past its
// deadline) shows its last good copy for this user, marked stale with its age, or is
// unavailable; the others are unaffected. The copies live in a bounded store (BFF-side
// stale-if-error: the breaker's fallback hook is being rewired, see README).
import type { KeyValueStore } from './stores/types.ts';
import { ServiceError } from './serviceCalls.ts';

export type SectionStatus = 'fresh' | 'stale' | 'unavailable';
export type Section<T extends object> = { status: SectionStatus; age?: number } & T;

export interface SectionSpec<T extends object> {
  load(): Promise<T>;
  /** What an unavailable section holds (empty lists). */
  empty: T;
}

export interface SectionLoader {
  <S extends Record<string, SectionSpec<object>>>(
    userKey: string,
    sections: S,
  ): Promise<{ [K in keyof S]: Section<S[K]['empty']> }>;
}

export function sectionLoader(
  store: KeyValueStore,
  maxAgeMs: number,
  onOutcome: (section: string, status: SectionStatus) => void,
  now: () => number = Date.now,
): SectionLoader {
  return async (userKey, sections) => {
    const entries = await Promise.all(
      Object.entries(sections).map(async ([name, spec]) => {
        const key = `${userKey}\0${name}`;
        try {
          const data = await spec.load();
          await store.set(key, JSON.stringify({ at: now(), data }), maxAgeMs);
          onOutcome(name, 'fresh');
          return [name, { status: 'fresh', ...data }] as const;
        } catch (error) {
          // The caller's own fault is the answer, not an outage.
          if (error instanceof ServiceError && error.isClientError) throw error;
          const copy = await store.get(key).catch(() => undefined);
          if (copy) {
            const { at, data } = JSON.parse(copy) as { at: number; data: object };
            onOutcome(name, 'stale');
            return [
              name,
              { status: 'stale', age: Math.max(0, Math.floor((now() - at) / 1000)), ...data },
            ] as const;
          }
          onOutcome(name, 'unavailable');
          return [name, { status: 'unavailable', ...spec.empty }] as const;
        }
      }),
    );
    return Object.fromEntries(entries) as never;
  };
}
