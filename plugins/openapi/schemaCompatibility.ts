// Whether one JSON Schema accepts everything another one does (approximately, for the keywords the
// contracts use): the public request schema must be no wider than the service's, and the service's
// answer no wider than what the public document promises.
import type { JsonNode } from './resolveRefs.ts';

export interface Incompatibility {
  at: string;
  message: string;
}

function typesOf(schema: JsonNode): Set<string> | undefined {
  const type = schema.type;
  if (type === undefined) {
    if (schema.const !== undefined) return new Set([jsonType(schema.const)]);
    return undefined;
  }
  return new Set(Array.isArray(type) ? (type as string[]) : [type as string]);
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (Number.isInteger(value)) return 'integer';
  return typeof value;
}

const LOWER_BOUNDS = ['minimum', 'minLength', 'minItems', 'minProperties'] as const;
const UPPER_BOUNDS = ['maximum', 'maxLength', 'maxItems'] as const;

/**
 * Incompatibilities found when `wider` should accept every instance `narrower` accepts.
 * `at` names the place in the narrower schema (`startsAt`, `items[].id`).
 */
export function accepts(wider: JsonNode, narrower: JsonNode, at = ''): Incompatibility[] {
  const issues: Incompatibility[] = [];
  const here = at || '(root)';
  const wideTypes = typesOf(wider);
  const narrowTypes = typesOf(narrower);
  if (wideTypes) {
    if (!narrowTypes)
      issues.push({ at: here, message: `must be ${[...wideTypes].join(' or ')}, is any type` });
    else {
      const extra = [...narrowTypes].filter(
        (type) => !wideTypes.has(type) && !(type === 'integer' && wideTypes.has('number')),
      );
      if (extra.length > 0)
        issues.push({
          at: here,
          message: `type ${extra.join(', ')} is not accepted (only ${[...wideTypes].join(', ')})`,
        });
    }
  }
  if (wider.const !== undefined && narrower.const !== wider.const)
    issues.push({ at: here, message: `must be the constant ${JSON.stringify(wider.const)}` });
  if (Array.isArray(wider.enum)) {
    const allowed = new Set(wider.enum as unknown[]);
    const values = Array.isArray(narrower.enum)
      ? (narrower.enum as unknown[])
      : narrower.const !== undefined
        ? [narrower.const]
        : undefined;
    if (!values) issues.push({ at: here, message: `must be one of ${JSON.stringify(wider.enum)}` });
    else {
      const extra = values.filter((value) => !allowed.has(value));
      if (extra.length > 0)
        issues.push({ at: here, message: `values ${JSON.stringify(extra)} are not accepted` });
    }
  }
  if (typeof wider.format === 'string' && wider.format !== narrower.format)
    issues.push({ at: here, message: `must have format ${wider.format}` });
  if (typeof wider.pattern === 'string' && wider.pattern !== narrower.pattern)
    issues.push({ at: here, message: `must match ${wider.pattern}` });
  for (const bound of LOWER_BOUNDS) {
    const limit = wider[bound];
    if (typeof limit !== 'number') continue;
    const own = narrower[bound];
    if (typeof own !== 'number' || own < limit)
      issues.push({ at: here, message: `${bound} must be at least ${limit}` });
  }
  for (const bound of UPPER_BOUNDS) {
    const limit = wider[bound];
    if (typeof limit !== 'number') continue;
    const own = narrower[bound];
    if (typeof own !== 'number' || own > limit)
      issues.push({ at: here, message: `${bound} must be at most ${limit}` });
  }

  // Objects: what the wider one requires, the narrower one must require; every property the
  // narrower one allows, the wider one must allow (and accept).
  const wideProps = (wider.properties ?? {}) as Record<string, JsonNode>;
  const narrowProps = (narrower.properties ?? {}) as Record<string, JsonNode>;
  const narrowRequired = new Set((narrower.required ?? []) as string[]);
  for (const name of (wider.required ?? []) as string[]) {
    if (!narrowRequired.has(name)) issues.push({ at: join(at, name), message: 'is required' });
  }
  for (const [name, schema] of Object.entries(narrowProps)) {
    const wide = wideProps[name];
    if (wide) issues.push(...accepts(wide, schema, join(at, name)));
    else if (wider.additionalProperties === false)
      issues.push({ at: join(at, name), message: 'is not a known property' });
  }
  if (
    wider.additionalProperties === false &&
    narrower.additionalProperties !== false &&
    narrower.type === 'object'
  )
    issues.push({ at: here, message: 'must not allow properties besides the known ones' });

  if (wider.items && typeof wider.items === 'object') {
    if (!narrower.items || typeof narrower.items !== 'object')
      issues.push({ at: `${here}[]`, message: 'items are not described' });
    else issues.push(...accepts(wider.items as JsonNode, narrower.items as JsonNode, `${at}[]`));
  }
  return issues;
}

function join(at: string, name: string): string {
  return at ? `${at}.${name}` : name;
}
