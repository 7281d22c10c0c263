// Persisted-operation manifests in Apollo's format (what `generate-persisted-query-manifest`
// writes): `{ format: "apollo-persisted-query-manifest", version: 1, operations: [{ id, name,
// type, body }] }`, where `id` is the SHA-256 (hex) of `body`. Read when the plugin registers
// (start and reload), so a merged manifest change takes effect on the next reload.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ConfigIssue } from '../../contracts/plugin.ts';

export interface PersistedOperation {
  id: string;
  name: string | undefined;
  type: string | undefined;
  body: string;
}

export const sha256Hex = (text: string): string => createHash('sha256').update(text).digest('hex');

/** The operations of one manifest, or the problems that make it unusable. */
export function readManifest(path: string): { operations: PersistedOperation[]; problems: string[] } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(resolve(path), 'utf8'));
  } catch (error) {
    return { operations: [], problems: [`cannot read ${path}: ${(error as Error).message}`] };
  }
  const manifest = parsed as { format?: unknown; version?: unknown; operations?: unknown };
  if (
    manifest.format !== 'apollo-persisted-query-manifest' ||
    manifest.version !== 1 ||
    !Array.isArray(manifest.operations)
  )
    return {
      operations: [],
      problems: [
        `${path}: expected { "format": "apollo-persisted-query-manifest", "version": 1, "operations": [...] }`,
      ],
    };
  const operations: PersistedOperation[] = [];
  const problems: string[] = [];
  manifest.operations.forEach((entry: unknown, index: number) => {
    const { id, name, type, body } = (entry ?? {}) as Record<string, unknown>;
    if (typeof id !== 'string' || typeof body !== 'string') {
      problems.push(`${path}: operations[${index}] needs a string id and body`);
      return;
    }
    if (sha256Hex(body) !== id) {
      problems.push(`${path}: operations[${index}].id is not the SHA-256 of its body`);
      return;
    }
    operations.push({
      id,
      body,
      name: typeof name === 'string' ? name : undefined,
      type: typeof type === 'string' ? type : undefined,
    });
  });
  return { operations, problems };
}

/** Every manifest's operations by id; throws naming the first bad file (validate reports them all). */
export function loadManifests(paths: readonly string[]): Map<string, PersistedOperation> {
  const byId = new Map<string, PersistedOperation>();
  for (const path of paths) {
    const { operations, problems } = readManifest(path);
    if (problems.length > 0) throw new Error(`graphql: ${problems[0]}`);
    for (const operation of operations) byId.set(operation.id, operation);
  }
  return byId;
}

export function manifestIssues(paths: readonly string[], at: string): ConfigIssue[] {
  return paths.flatMap((path, index) =>
    readManifest(path).problems.map((message) => ({ path: `${at}.${index}`, message })),
  );
}
