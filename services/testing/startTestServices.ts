// Starts all four services for one test file on ephemeral ports, from a migrated PGlite
// template (or, when DATABASE_URL is set, in a fresh database of that server), with helpers to
// make users of a given role and get their tokens.
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createLogger, openPGlite, pgDatabase, pgliteDatabase } from '../kit/index.ts';
import type { Database, Role } from '../kit/index.ts';
import type { ServiceName } from '../serviceCatalog.ts';
import { startServicesWith } from '../startServices.ts';
import type { DatabaseProvider } from '../startServices.ts';
import { createContractClient } from './contractClient.ts';
import { copyOfTemplate } from './migratedTemplate.ts';

export const TEST_ADMIN = { email: 'admin@test.portico.dev', password: 'correct horse battery staple 42' };

export interface TestUser {
  id: string;
  email: string;
  password: string;
  roles: Role[];
  accessToken: string;
  refreshToken: string;
}

export interface TestServices {
  urls: Record<ServiceName, string>;
  issuer: string;
  /** Direct database access for assertions the API does not expose (e.g. the audit log). */
  db: Database;
  /** A fresh user holding `roles` (registered, promoted by the admin, logged in). */
  createUser(roles?: Role | Role[], options?: { name?: string }): Promise<TestUser>;
  /** The bootstrap admin's access token. */
  adminToken(): Promise<string>;
  stop(): Promise<void>;
}

export interface TestServicesOptions {
  /** Extra environment for the services (e.g. PROGRAMS_FEEDS, IDENTITY_SSO_ISSUER). */
  env?: Record<string, string>;
  logLevel?: string;
}

async function pgliteFromTemplate(): Promise<DatabaseProvider & { db: Database }> {
  const dir = await mkdtemp(join(tmpdir(), 'portico-test-db-'));
  const pglite = await openPGlite({ dataDir: await copyOfTemplate(join(dir, 'pgdata')) });
  return {
    db: pgliteDatabase(pglite, false),
    databaseFor: () => pgliteDatabase(pglite, false),
    servicesOwnDatabases: false,
    async close() {
      await pglite.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A database of its own on the DATABASE_URL server, so test files never see each other's rows. */
async function freshPostgresDatabase(
  serverUrl: string,
): Promise<DatabaseProvider & { db: Database; url: string }> {
  const name = `portico_test_${randomUUID().replace(/-/g, '')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const db = pgDatabase(url.toString(), { max: 2 });
  return {
    db,
    url: url.toString(),
    databaseFor: () => pgDatabase(url.toString(), { max: 5 }),
    servicesOwnDatabases: true,
    async close() {
      await db.close();
      const cleanup = new pg.Client({ connectionString: serverUrl });
      await cleanup.connect();
      await cleanup.query(`drop database if exists ${name} with (force)`);
      await cleanup.end();
    },
  };
}

export async function startTestServices(options: TestServicesOptions = {}): Promise<TestServices> {
  const baseEnv: Record<string, string> = {
    PORTICO_ADMIN_EMAIL: TEST_ADMIN.email,
    PORTICO_ADMIN_PASSWORD: TEST_ADMIN.password,
    // Tests trigger syncs and rotations themselves.
    PROGRAMS_SYNC_CRON: 'off',
    IDENTITY_KEY_ROTATION_CRON: 'off',
    // Cheaper hashing keeps user-heavy tests quick; the hash format and code path are the same.
    IDENTITY_SCRYPT_LOG2_COST: '12',
    ...options.env,
  };
  const serverUrl = process.env.DATABASE_URL;
  let provider: DatabaseProvider & { db: Database };
  let env: Record<string, string> = baseEnv;
  if (serverUrl) {
    const postgres = await freshPostgresDatabase(serverUrl);
    provider = postgres;
    env = { ...baseEnv, DATABASE_URL: postgres.url };
  } else {
    provider = await pgliteFromTemplate();
  }
  const started = await startServicesWith(provider, {
    ports: { identity: 0, programs: 0, appointments: 0, resources: 0 },
    logger: createLogger({ level: options.logLevel ?? process.env.TEST_LOG_LEVEL ?? 'silent' }),
    env,
  });
  const identity = started.urls.identity;

  // The fixture's own calls are checked against identity's contract like any test's.
  const identityApi = await createContractClient('identity', identity);
  const post = async (path: string, body: unknown, token?: string) => {
    const response = await identityApi.request(path.endsWith('/roles') ? 'PUT' : 'POST', path, {
      json: body,
      token,
    });
    if (response.status >= 300)
      throw new Error(`${path} answered ${response.status}: ${JSON.stringify(response.body)}`);
    return response.body as Record<string, unknown>;
  };
  const login = async (email: string, password: string) =>
    (await post('/auth/login', { email, password })) as { access_token: string; refresh_token: string };

  let adminAccess: string | undefined;
  const adminToken = async () =>
    (adminAccess ??= (await login(TEST_ADMIN.email, TEST_ADMIN.password)).access_token);

  return {
    urls: started.urls,
    issuer: started.issuer,
    db: provider.db,
    adminToken,
    async createUser(roles = 'student', userOptions = {}) {
      const wanted = Array.isArray(roles) ? roles : [roles];
      const email = `user-${randomUUID()}@test.portico.dev`;
      const password = `pw-${randomBytes(12).toString('base64url')}`;
      const user = (await post('/auth/register', { email, password, name: userOptions.name })) as {
        id: string;
      };
      if (wanted.join() !== 'student')
        await post(`/auth/users/${user.id}/roles`, { roles: wanted }, await adminToken());
      const tokens = await login(email, password);
      return {
        id: user.id,
        email,
        password,
        roles: wanted,
        accessToken: tokens.access_token,
        refreshToken: tokens.refresh_token,
      };
    },
    stop: () => started.stop(),
  };
}
