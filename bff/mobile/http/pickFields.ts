// Sparse fieldsets: `fields=appointments,programs.title` keeps the named paths. Arrays are
// transparent (a path reaches into every element), so are a section's `items` / `item`
// (`appointments.id` keeps the id of each appointment); a section's status, age and next cursor
// are always kept, so a trimmed screen still says how fresh it is.
const ALWAYS_KEPT = new Set(['status', 'age', 'next']);
const ITEM_HOLDERS = new Set(['items', 'item']);

type Tree = Map<string, Tree>;

export function parseFields(value: string): Tree | undefined {
  const paths = value
    .split(',')
    .map((path) => path.trim())
    .filter(Boolean);
  if (paths.length === 0) return undefined;
  const root: Tree = new Map();
  for (const path of paths) {
    let node = root;
    for (const part of path.split('.')) {
      let next = node.get(part);
      if (!next) node.set(part, (next = new Map()));
      node = next;
    }
  }
  return root;
}

export function pickFields(value: unknown, tree: Tree | undefined): unknown {
  // An empty subtree means "all of it".
  if (!tree || tree.size === 0) return value;
  if (Array.isArray(value)) return value.map((element) => pickFields(element, tree));
  if (typeof value !== 'object' || value === null) return value;
  const picked: Record<string, unknown> = {};
  const forItems: Tree = new Map([...tree].filter(([key]) => !(key in value)));
  const isSection = Object.keys(value).some((key) => ITEM_HOLDERS.has(key));
  for (const [key, inner] of Object.entries(value)) {
    const subtree = tree.get(key);
    if (subtree) picked[key] = pickFields(inner, subtree);
    else if (isSection && ALWAYS_KEPT.has(key)) picked[key] = inner;
    else if (ITEM_HOLDERS.has(key) && forItems.size > 0) picked[key] = pickFields(inner, forItems);
  }
  return picked;
}

/** The paths of `tree` that name nothing in `shape` (a sample answer), for a clear 400. */
export function unknownFields(tree: Tree, known: Record<string, unknown>): string[] {
  return [...tree.keys()].filter((key) => !(key in known));
}
