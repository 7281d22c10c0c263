// Local `$ref`s (`#/components/...`) resolved in place, for comparing two documents structurally.
// Shared nodes stay shared and cycles stop at the node already being resolved.

export type JsonNode = Record<string, unknown>;

export function pointerTarget(document: unknown, ref: string): unknown {
  if (!ref.startsWith('#')) return undefined;
  let node: unknown = document;
  for (const raw of ref.slice(1).split('/').slice(1)) {
    const token = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    if (!node || typeof node !== 'object') return undefined;
    node = (node as JsonNode)[token];
  }
  return node;
}

/** The document with every resolvable local `$ref` replaced by its target; unresolvable ones are kept. */
export function resolveRefs<T>(document: T): T {
  const done = new Map<unknown, unknown>();
  const visit = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(visit);
    if (!node || typeof node !== 'object') return node;
    const ref = (node as JsonNode).$ref;
    if (typeof ref === 'string') {
      const target = pointerTarget(document, ref);
      if (target === undefined) return node;
      return visit(target);
    }
    const existing = done.get(node);
    if (existing) return existing;
    const out: JsonNode = {};
    done.set(node, out);
    for (const [key, value] of Object.entries(node)) out[key] = visit(value);
    return out;
  };
  return visit(document) as T;
}
