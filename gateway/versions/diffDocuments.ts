// What changed between two versions, key path by key path (the paths `portico validate` speaks):
// objects compared by key, arrays by position. Values of secret-looking keys are shown redacted
// unless they are references (`${env:NAME}` says nothing secret).
import { redactConfig } from '../admin/redactConfig.ts';
import { formatPath } from '../config/configIssues.ts';
import { isReferenceOnly } from '../config/resolveReferences.ts';
import { canonicalJson } from './canonicalJson.ts';

export interface DocumentChange {
  path: string;
  change: 'added' | 'removed' | 'changed';
  from?: unknown;
  to?: unknown;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export function diffDocuments(from: unknown, to: unknown): DocumentChange[] {
  const changes: DocumentChange[] = [];
  const shown = (value: unknown, key: PropertyKey | undefined) =>
    typeof value === 'string' && isReferenceOnly(value)
      ? value
      : redactConfig(value, typeof key === 'string' ? key : '');

  const walk = (a: unknown, b: unknown, path: PropertyKey[]) => {
    const key = path.at(-1);
    if (a === undefined && b === undefined) return;
    if (a === undefined)
      return void changes.push({ path: formatPath(path), change: 'added', to: shown(b, key) });
    if (b === undefined)
      return void changes.push({ path: formatPath(path), change: 'removed', from: shown(a, key) });
    if (isObject(a) && isObject(b)) {
      for (const name of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort())
        walk(a[name], b[name], [...path, name]);
      return;
    }
    if (Array.isArray(a) && Array.isArray(b)) {
      for (let index = 0; index < Math.max(a.length, b.length); index++)
        walk(a[index], b[index], [...path, index]);
      return;
    }
    if (canonicalJson(a) !== canonicalJson(b))
      changes.push({
        path: formatPath(path) || '(root)',
        change: 'changed',
        from: shown(a, key),
        to: shown(b, key),
      });
  };
  walk(from, to, []);
  return changes;
}
