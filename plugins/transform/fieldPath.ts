// Field paths of the body rules: dotted (`items.link`) or JSON pointers (`/items/0/link`). A path
// reaching an array goes into each of its elements, unless the segment is an index of it; `*`
// stands for every element or every key. Pure: no server needed to test it.

export type FieldPath = readonly string[];

/** The path's segments, or the reason it is not a path. */
export function parseFieldPath(text: string): FieldPath | string {
  if (text.startsWith('/')) {
    const segments = text
      .slice(1)
      .split('/')
      .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'));
    if (segments.some((segment) => segment === '')) return `"${text}": a JSON pointer with an empty segment`;
    return segments;
  }
  const segments = text.split('.');
  if (text === '' || segments.some((segment) => segment === ''))
    return `"${text}": a dotted path with an empty segment`;
  return segments;
}

type Json = unknown;

function isObject(value: Json): value is Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Calls `visit(parent, key)` for every object that holds the last segment's parent position. */
function forEachParent(
  value: Json,
  path: FieldPath,
  visit: (parent: Record<string, Json>, key: string) => void,
): void {
  const [head, ...rest] = path;
  if (head === undefined) return;
  if (Array.isArray(value)) {
    if (/^\d+$/.test(head)) {
      if (rest.length > 0) forEachParent(value[Number(head)], rest, visit);
      return;
    }
    // An array on the way: the rule applies inside each element (`*` says so explicitly).
    for (const element of value) forEachParent(element, head === '*' ? rest : path, visit);
    return;
  }
  if (!isObject(value)) return;
  if (rest.length === 0) {
    if (head === '*') for (const key of Object.keys(value)) visit(value, key);
    else visit(value, head);
    return;
  }
  if (head === '*') for (const child of Object.values(value)) forEachParent(child, rest, visit);
  else forEachParent(value[head], rest, visit);
}

export interface BodyRules {
  remove: readonly FieldPath[];
  /** Each field at `from` gets the name `to`, in the same object (its place in key order kept). */
  rename: ReadonlyArray<{ from: FieldPath; to: string }>;
}

/** Applies the rules to `value` in place (removals first, then renames); returns how many fields changed. */
export function applyBodyRules(value: Json, rules: BodyRules): number {
  let changed = 0;
  for (const path of rules.remove) {
    forEachParent(value, path, (parent, key) => {
      if (Object.hasOwn(parent, key)) {
        delete parent[key];
        changed++;
      }
    });
  }
  for (const { from, to } of rules.rename) {
    forEachParent(value, from, (parent, key) => {
      if (!Object.hasOwn(parent, key) || key === to) return;
      // Rebuilt so the renamed field keeps its place (clients and diffs read keys in order); a field
      // already called `to` gives way. defineProperty: a `__proto__` key from the data stays a plain field.
      const entries = Object.entries(parent)
        .filter(([name]) => name !== to)
        .map(([name, field]) => [name === key ? to : name, field] as const);
      for (const name of Object.keys(parent)) delete parent[name];
      for (const [name, field] of entries)
        Object.defineProperty(parent, name, {
          value: field,
          writable: true,
          enumerable: true,
          configurable: true,
        });
      changed++;
    });
  }
  return changed;
}
