// Secrets in a config are written as references, `${env:NAME}` or `${file:PATH}`, and resolved
// here, at load time, into the config the gateway runs. The document keeps the references: the
// version history stores and hashes the document, so a secret's value never lands in it.
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { formatPath, type ConfigIssue } from './configIssues.ts';

const REFERENCE = /\$(\$?)\{(env|file):([^}]*)\}/g;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Whether a string is made only of references (what a secret-named key should hold). */
export function isReferenceOnly(text: string): boolean {
  return (
    text.replace(REFERENCE, (whole, escaped: string) => (escaped ? whole : '')).trim() === '' &&
    text.trim() !== ''
  );
}

/**
 * `raw` with every reference in its strings replaced by its value (`$${...}` stays a literal
 * `${...}`), and an issue naming the key path of each that cannot be resolved.
 */
export function resolveReferences(
  raw: unknown,
  {
    baseDir,
    env = process.env,
  }: {
    /** What a relative `${file:...}` path is relative to (the config file's directory). */
    baseDir: string;
    env?: NodeJS.ProcessEnv;
  },
): { value: unknown; issues: ConfigIssue[] } {
  const issues: ConfigIssue[] = [];
  const walk = (value: unknown, path: PropertyKey[]): unknown => {
    if (typeof value === 'string') return value.includes('${') ? substitute(value, path) : value;
    if (Array.isArray(value)) return value.map((item, index) => walk(item, [...path, index]));
    if (value && typeof value === 'object')
      return Object.fromEntries(
        Object.entries(value).map(([key, inner]) => [key, walk(inner, [...path, key])]),
      );
    return value;
  };
  const substitute = (text: string, path: PropertyKey[]) =>
    text.replace(REFERENCE, (whole, escaped: string, kind: string, target: string) => {
      if (escaped) return whole.slice(1);
      const problem = (message: string) => {
        issues.push({ path: formatPath(path), message });
        return '';
      };
      if (kind === 'env') {
        if (!ENV_NAME.test(target))
          return problem(`\${env:${target}}: expected an environment variable name`);
        const found = env[target];
        return found === undefined
          ? problem(`\${env:${target}}: the environment variable ${target} is not set`)
          : found;
      }
      if (target === '') return problem('${file:}: expected a file path');
      const file = isAbsolute(target) ? target : resolve(baseDir, target);
      try {
        // A secret file usually ends with a newline the secret does not contain.
        return readFileSync(file, 'utf8').replace(/\r?\n$/, '');
      } catch (error) {
        return problem(
          `\${file:${target}}: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
        );
      }
    });
  return { value: walk(raw, []), issues };
}
