// One way for a plugin to take settings per upstream (the circuit breaker's, retry's): the
// plugin-wide fields with their defaults, and `upstreams.<name>` overriding any of them (unset
// fields inherit), or `false` to turn the plugin off for that upstream. Unknown upstream names are
// caught by the plugin's validate hook (`unknownUpstreamIssues`), so `portico validate` names them.
import { z } from 'zod';
import type { ConfigFacts, ConfigIssue } from './plugin.ts';

type Fields = Record<string, () => z.ZodType>;

/** The override schema of one upstream: every field optional, none defaulted. */
export function upstreamOverrideSchema<F extends Fields>(fields: F) {
  return z
    .object(
      Object.fromEntries(Object.entries(fields).map(([key, field]) => [key, field().optional()])) as {
        [K in keyof F]: z.ZodOptional<ReturnType<F[K]>>;
      },
    )
    .strict();
}

/** `upstreams: { <name>: override | false }`, described for ops. */
export function upstreamOverridesSchema<S extends z.ZodType>(override: S, offMeaning: string) {
  return z
    .record(z.string(), z.union([z.literal(false), override]))
    .default({})
    .describe(`Per-upstream overrides by upstream name; false: ${offMeaning}`);
}

/** One upstream's settings: its override over the plugin-wide values, or false. */
export function settingsForUpstream<T extends object>(
  defaults: T,
  overrides: Record<string, false | Partial<T>>,
  upstream: string,
): T | false {
  const override = overrides[upstream];
  if (override === false) return false;
  const merged = { ...defaults };
  for (const [key, value] of Object.entries(override ?? {})) {
    if (value !== undefined) (merged as Record<string, unknown>)[key] = value;
  }
  return merged;
}

/** Issues for override names that are no configured upstream. */
export function unknownUpstreamIssues(overrides: Record<string, unknown>, facts: ConfigFacts): ConfigIssue[] {
  const known = new Set(facts.upstreams);
  return Object.keys(overrides)
    .filter((name) => !known.has(name))
    .map((name) => ({
      path: `${facts.pluginPath}.options.upstreams.${name}`,
      message: `no upstream named "${name}" (known: ${facts.upstreams.join(', ') || 'none'})`,
    }));
}
