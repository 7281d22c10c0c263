// Identity at the edge by API key: keys work on /graphql when the route lists api-key (as on REST),
// and a key in `safelist.apiKeys` may run manifest operations only.
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiKeyAdminClient } from '../api-key/adminClient.ts';
import { startGraphqlStack, type GraphqlStack } from './testing/startGraphqlStack.ts';

let stack: GraphqlStack;
let dir: string;
let manifest: string;

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const CATALOG = 'query Catalog { programs(limit: 2) { items { id title } } }';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'portico-graphql-keys-'));
  manifest = join(dir, 'partners.json');
  await writeFile(
    manifest,
    JSON.stringify({
      format: 'apollo-persisted-query-manifest',
      version: 1,
      operations: [{ id: sha256(CATALOG), name: 'Catalog', type: 'query', body: CATALOG }],
    }),
  );
  stack = await startGraphqlStack({ plugins: { 'api-key': {} } }, [
    { name: 'api-key', options: { store: { type: 'file', path: join(dir, 'keys.json') } } },
  ]);
}, 120_000);
afterAll(async () => {
  await stack?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('API keys on /graphql', () => {
  it('accepts a key, and holds a safelisted key to the manifest', async () => {
    const admin = apiKeyAdminClient(stack.gateway.adminUrl, stack.gateway.adminHeaders);
    const free = await admin.create({ name: 'free', owner: 'acme' });
    const listed = await admin.create({ name: 'listed', owner: 'partner' });

    const bad = await stack.post({ query: CATALOG }, { headers: { 'x-api-key': 'nope' } });
    expect(bad.status).toBe(401);

    await stack.restartGateway({
      plugins: { 'api-key': {} },
      persisted: { manifests: [manifest], safelist: { apiKeys: [listed.id] } },
    });
    const any = '{ programs(limit: 1) { items { title } } }';
    const byFree = await stack.post({ query: any }, { headers: { 'x-api-key': free.key } });
    expect(byFree.status).toBe(200);
    expect(byFree.body.errors).toBeUndefined();

    stack.resetCalls();
    const refused = await stack.post({ query: any }, { headers: { 'x-api-key': listed.key } });
    expect(refused.body.errors?.[0]?.extensions?.['code']).toBe('PERSISTED_QUERY_NOT_IN_LIST');
    expect(stack.callCounts().programs).toBe(0);
    const allowed = await stack.post({ query: CATALOG }, { headers: { 'x-api-key': listed.key } });
    expect(allowed.status).toBe(200);
    expect(allowed.body.errors).toBeUndefined();
  });
});
