// For schema tests: validate a raw config and get its problems as "path: message" lines.
import { ConfigError } from '../gateway/config/configIssues.ts';
import { resolveConfig } from '../gateway/config/loadConfigFile.ts';

/** The smallest valid config: one upstream and one route to it, for tests to spread their keys into. */
export const MINIMAL_CONFIG = {
  upstreams: { programs: { url: 'http://127.0.0.1:7102' } },
  routes: [{ path: '/api/v1/programs/{rest*}', upstream: 'programs' }],
};

/** Every problem `raw` has, as ops would read it; empty when it is valid. */
export async function configIssuesOf(raw: unknown): Promise<string[]> {
  try {
    await resolveConfig(raw);
  } catch (error) {
    if (error instanceof ConfigError) return error.issues.map((issue) => `${issue.path}: ${issue.message}`);
    throw error;
  }
  return [];
}
