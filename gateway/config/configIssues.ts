// Turns validation failures into "path: what was expected" lines, the one error shape ops see.
import type { z } from 'zod';

import type { ConfigIssue } from '../../contracts/plugin.ts';

export type { ConfigIssue };

export class ConfigError extends Error {
  constructor(readonly issues: ConfigIssue[]) {
    super(
      `invalid config:\n${issues.map((issue) => `  ${issue.path || '(root)'}: ${issue.message}`).join('\n')}`,
    );
    this.name = 'ConfigError';
  }
}

export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (/^[A-Za-z_][\w-]*$/.test(String(key))) out += out ? `.${String(key)}` : String(key);
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out;
}

/** Zod issues → ConfigIssues, with `prefix` put before each path (a plugin's options sit under the config). */
export function fromZodIssues(
  issues: ReadonlyArray<z.core.$ZodIssue>,
  prefix: PropertyKey[] = [],
): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  for (const issue of issues) {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) out.push({ path: formatPath([...path, key]), message: 'unknown key' });
    } else if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      // A union says only "Invalid input"; the branches' own messages say what was expected.
      const messages = new Set(issue.errors.flatMap((branch) => branch.map((inner) => inner.message)));
      out.push({ path: formatPath(path), message: [...messages].join('; or ') });
    } else {
      out.push({ path: formatPath(path), message: issue.message });
    }
  }
  return out;
}
