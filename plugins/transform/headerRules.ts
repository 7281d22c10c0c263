// The header rules of one direction, applied to a header object in place: remove, rename, add.
import type { HeaderRules } from './schema.ts';

export function applyHeaderRules(headers: Record<string, unknown>, rules: HeaderRules): void {
  for (const name of rules.remove) delete headers[name];
  for (const [from, to] of Object.entries(rules.rename)) {
    if (headers[from] === undefined) continue;
    headers[to] = headers[from];
    delete headers[from];
  }
  for (const [name, value] of Object.entries(rules.add)) headers[name] = value;
}
