// The key format and the three stores, each against the real thing (a file on disk, a real redis-server).
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  generateKey,
  generateKeyId,
  hashKey,
  isWellFormedKey,
  presentedKey,
  type StoredApiKey,
} from './apiKeys.ts';
import { createFileStore } from './stores/file.ts';
import { createMemoryStore } from './stores/memory.ts';
import { createRedisStore } from './stores/redis.ts';
import type { ApiKeyStore } from './stores/types.ts';
import { redisSkipReason, startRedisServer, type RedisServer } from '../../testing/index.ts';

function newKey(overrides: Partial<StoredApiKey> = {}): { key: string; stored: StoredApiKey } {
  const key = generateKey();
  return {
    key,
    stored: {
      id: generateKeyId(),
      name: 'partner',
      owner: 'ops@partner.example',
      scopes: ['programs:read'],
      createdAt: new Date(0).toISOString(),
      hash: hashKey(key),
      ...overrides,
    },
  };
}

describe('API key format', () => {
  it('is a prefixed 256-bit random value; ids and keys never repeat', () => {
    const keys = new Set(Array.from({ length: 1000 }, generateKey));
    expect(keys.size).toBe(1000);
    for (const key of [...keys].slice(0, 10)) expect(isWellFormedKey(key)).toBe(true);
    expect(isWellFormedKey('ptk_short')).toBe(false);
    expect(isWellFormedKey(`xyz_${'a'.repeat(43)}`)).toBe(false);
  });

  it('is read from X-API-Key or Authorization: ApiKey, and from nothing else', () => {
    expect(presentedKey({ 'x-api-key': ' k1 ' })).toBe('k1');
    expect(presentedKey({ authorization: 'ApiKey k2' })).toBe('k2');
    expect(presentedKey({ authorization: 'apikey k3' })).toBe('k3');
    expect(presentedKey({ authorization: 'Bearer k4' })).toBeUndefined();
    expect(presentedKey({})).toBeUndefined();
  });

  it('is stored as a SHA-256 (hex), never as itself', () => {
    const { key, stored } = newKey();
    expect(stored.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(stored)).not.toContain(key);
  });
});

function storeContract(name: string, open: () => Promise<ApiKeyStore>) {
  describe(`${name} store`, () => {
    it('adds, finds by hash, gets by id, lists', async () => {
      const store = await open();
      const { key, stored } = newKey();
      await store.add(stored);
      expect(await store.findByHash(hashKey(key))).toEqual(stored);
      expect(await store.findByHash(hashKey(generateKey()))).toBeUndefined();
      expect(await store.get(stored.id)).toEqual(stored);
      expect((await store.list()).map(({ id }) => id)).toContain(stored.id);
      await store.close();
    });

    it('revokes once: the first revocation time stays', async () => {
      const store = await open();
      const { key, stored } = newKey();
      await store.add(stored);
      expect((await store.revoke(stored.id, '2030-01-01T00:00:00.000Z'))?.revokedAt).toBe(
        '2030-01-01T00:00:00.000Z',
      );
      expect((await store.revoke(stored.id, '2031-01-01T00:00:00.000Z'))?.revokedAt).toBe(
        '2030-01-01T00:00:00.000Z',
      );
      expect((await store.findByHash(hashKey(key)))?.revokedAt).toBe('2030-01-01T00:00:00.000Z');
      expect(await store.revoke('key_nope', '2030-01-01T00:00:00.000Z')).toBeUndefined();
      await store.close();
    });
  });
}

storeContract('memory', async () => createMemoryStore());

const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
const tempFile = () => {
  const dir = mkdtempSync(join(tmpdir(), 'portico-keys-'));
  dirs.push(dir);
  return join(dir, 'nested', 'api-keys.json');
};
storeContract('file', async () => createFileStore(tempFile(), () => {}));

describe('file store on disk', () => {
  it('survives a restart, holds hashes only, and is readable by its owner only', async () => {
    const path = tempFile();
    const first = await createFileStore(path, () => {});
    const { key, stored } = newKey();
    await first.add(stored);
    await first.close();
    expect(readFileSync(path, 'utf8')).not.toContain(key);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const second = await createFileStore(path, () => {});
    expect((await second.findByHash(hashKey(key)))?.id).toBe(stored.id);
    await second.close();
  });

  it('sees a revocation made by another process (another store on the same file)', async () => {
    const path = tempFile();
    const [a, b] = [await createFileStore(path, () => {}), await createFileStore(path, () => {})];
    const { key, stored } = newKey();
    await a.add(stored);
    await b.revoke(stored.id, '2030-01-01T00:00:00.000Z').then(() => undefined);
    // b read the file before changing it, so it knew the key a added.
    expect((await b.findByHash(hashKey(key)))?.revokedAt).toBeDefined();
    // a learns of it through its watcher; wait (bounded) for the file event.
    for (let i = 0; i < 100 && !(await a.findByHash(hashKey(key)))?.revokedAt; i++)
      await new Promise((r) => setTimeout(r, 50));
    expect((await a.findByHash(hashKey(key)))?.revokedAt).toBe('2030-01-01T00:00:00.000Z');
    await Promise.all([a.close(), b.close()]);
  });

  it('keeps the keys it has when the file is replaced by garbage, and reports it', async () => {
    const path = tempFile();
    const errors: Error[] = [];
    const store = await createFileStore(path, (error) => errors.push(error));
    const { key, stored } = newKey();
    await store.add(stored);
    writeFileSync(path, '{ not json');
    for (let i = 0; i < 100 && errors.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(errors.length).toBeGreaterThan(0);
    expect((await store.findByHash(hashKey(key)))?.id).toBe(stored.id);
    await store.close();
  });
});

const skip = redisSkipReason();
// eslint-disable-next-line no-console -- a skipped Redis suite must be loud
if (skip) console.warn(`plugins/api-key: ${skip}`);
describe.skipIf(skip)('redis store', () => {
  let server: RedisServer;
  let client: Redis;
  beforeAll(async () => {
    server = await startRedisServer();
    client = new Redis(server.url, { maxRetriesPerRequest: 1 });
  });
  afterAll(async () => {
    client?.disconnect();
    await server?.stop();
  });
  afterEach(() => client.flushall());

  storeContract('redis (contract)', async () => createRedisStore(client, 'test:keys'));

  it('stores hashes only, under one cluster hash tag', async () => {
    const store = createRedisStore(client, 'test:keys');
    const { key, stored } = newKey();
    await store.add(stored);
    const keys = await client.keys('*');
    expect(keys.sort()).toEqual(['{test:keys}:by-hash', '{test:keys}:by-id']);
    expect(JSON.stringify(await client.hgetall('{test:keys}:by-hash'))).not.toContain(key);
  });
});
