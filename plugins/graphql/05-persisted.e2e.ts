// Done when: an unpersisted query is refused in safelist mode and runs after being persisted;
// APQ over GET works; a mutation over GET is refused.
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGraphqlStack, type GraphqlStack } from './testing/startGraphqlStack.ts';

let stack: GraphqlStack;
let token: string;
let dir: string;

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const CATALOG = 'query Catalog { programs(limit: 3) { items { id title } } }';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'portico-graphql-manifest-'));
  stack = await startGraphqlStack();
  token = (await stack.services.createUser('student')).accessToken;
}, 120_000);
afterAll(async () => {
  await stack?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('automatic persisted queries', () => {
  it('runs the Apollo flow over GET: not found, register with the text, then by hash alone', async () => {
    const persistedQuery = { version: 1, sha256Hash: sha256(CATALOG) };
    stack.resetCalls();
    const miss = await stack.get({ extensions: { persistedQuery } }, { token });
    expect(miss.status).toBe(200);
    expect(miss.body.errors?.[0]).toMatchObject({
      message: 'PersistedQueryNotFound',
      extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' },
    });
    expect(stack.callCounts().programs).toBe(0);

    const registered = await stack.get({ query: CATALOG, extensions: { persistedQuery } }, { token });
    expect(registered.status).toBe(200);
    expect(registered.body.errors).toBeUndefined();

    const hit = await stack.get({ extensions: { persistedQuery } }, { token });
    expect(hit.status).toBe(200);
    expect(hit.body).toEqual(registered.body);
  });

  it('lets a CDN keep an anonymous persisted GET, never an authenticated one', async () => {
    await stack.restartGateway({ persisted: { cacheControl: 'public, max-age=60' } });
    const query = '{ programs(limit: 1) { items { id } } }';
    const persistedQuery = { version: 1, sha256Hash: sha256(query) };
    await stack.get({ query, extensions: { persistedQuery } });
    const anonymous = await stack.get({ extensions: { persistedQuery } });
    expect(anonymous.status).toBe(200);
    expect(anonymous.headers.get('cache-control')).toBe('public, max-age=60');
    const signedIn = await stack.get({ extensions: { persistedQuery } }, { token });
    expect(signedIn.headers.get('cache-control')).not.toContain('public');
    await stack.restartGateway({});
  });

  it('refuses a hash that is not the hash of the text', async () => {
    const answer = await stack.post(
      { query: CATALOG, extensions: { persistedQuery: { version: 1, sha256Hash: sha256('other') } } },
      { token },
    );
    expect(answer.status).toBe(400);
    expect(answer.body.errors?.[0]?.extensions?.['code']).toBe('PERSISTED_QUERY_HASH_MISMATCH');
  });

  it('never runs a mutation over GET, persisted or not', async () => {
    const mutation = 'mutation Register { registerForProgram(id: "x") }';
    const plain = await stack.get({ query: mutation }, { token });
    expect(plain.status).toBe(405);
    expect(plain.headers.get('allow')).toBe('POST');
    expect(plain.body.errors?.[0]?.extensions?.['code']).toBe('METHOD_NOT_ALLOWED');
    const persisted = await stack.get(
      { query: mutation, extensions: { persistedQuery: { version: 1, sha256Hash: sha256(mutation) } } },
      { token },
    );
    expect(persisted.status).toBe(405);
  });
});

describe('safelist mode', () => {
  it('refuses an unpersisted query from a safelisted audience, and runs it once it is in the manifest', async () => {
    const manifest = join(dir, 'mobile.json');
    const write = (operations: Array<{ id: string; name: string; type: string; body: string }>) =>
      writeFile(
        manifest,
        JSON.stringify({ format: 'apollo-persisted-query-manifest', version: 1, operations }),
      );
    await write([]);
    const options = { persisted: { manifests: [manifest], safelist: { audiences: ['portico'] } } };
    await stack.restartGateway(options);

    stack.resetCalls();
    const refused = await stack.post({ query: CATALOG }, { token });
    expect(refused.status).toBe(400);
    expect(refused.body.errors?.[0]?.extensions?.['code']).toBe('PERSISTED_QUERY_NOT_IN_LIST');
    // A safelisted client cannot register through APQ either.
    const viaApq = await stack.post(
      { query: CATALOG, extensions: { persistedQuery: { version: 1, sha256Hash: sha256(CATALOG) } } },
      { token },
    );
    expect(viaApq.body.errors?.[0]?.extensions?.['code']).toBe('PERSISTED_QUERY_NOT_IN_LIST');
    expect(stack.callCounts().programs).toBe(0);

    await write([{ id: sha256(CATALOG), name: 'Catalog', type: 'query', body: CATALOG }]);
    await stack.restartGateway(options);
    const byText = await stack.post({ query: CATALOG }, { token });
    expect(byText.status).toBe(200);
    expect(byText.body.errors).toBeUndefined();
    const byHash = await stack.get(
      { extensions: { persistedQuery: { version: 1, sha256Hash: sha256(CATALOG) } } },
      { token },
    );
    expect(byHash.status).toBe(200);
    expect(byHash.body).toEqual(byText.body);
    // Anonymous callers are not in the safelist: they may still send their own queries.
    const anonymous = await stack.post({ query: '{ programs(limit: 1) { items { id } } }' });
    expect(anonymous.status).toBe(200);
  });

  it('refuses to start with a manifest whose ids are not the hashes of their bodies', async () => {
    const bad = join(dir, 'bad.json');
    await writeFile(
      bad,
      JSON.stringify({
        format: 'apollo-persisted-query-manifest',
        version: 1,
        operations: [{ id: sha256('x'), name: 'Catalog', type: 'query', body: CATALOG }],
      }),
    );
    await expect(stack.restartGateway({ persisted: { manifests: [bad] } })).rejects.toThrow(/SHA-256/);
    await stack.restartGateway({});
  });
});
