// Idempotency records in Redis, shared by every gateway instance. One key per record, so every
// step is a single-key script (works on a Cluster too): claiming is SET NX PX done atomically with
// reading what holds the key, and only the request that holds the in-flight mark may replace it.
import type { RedisClient } from '../../../contracts/plugin.ts';
import type { IdempotencyRecord, IdempotencyStore, PendingMark, StoreEntry } from './types.ts';

// Returns the value holding KEYS[1], or sets ARGV[1] with expiry ARGV[2] ms and returns false (nil).
const CLAIM = `local held = redis.call('GET', KEYS[1])
if held then return held end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return false`;
// Replaces the mark ARGV[1] (only if it is still there) by ARGV[2], expiring in ARGV[3] ms.
const COMPLETE = `if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
  return 1
end
return 0`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

interface Encoded {
  s: 'p' | 'd';
  f: string;
  t?: string;
  r?: { status: number; headers: Record<string, string | string[]>; body: string };
}

const encodeMark = (mark: PendingMark): string =>
  JSON.stringify({ s: 'p', f: mark.fingerprint, t: mark.token } satisfies Encoded);

function encodeRecord(record: IdempotencyRecord): string {
  const encoded: Encoded = { s: 'd', f: record.fingerprint };
  if (record.response) encoded.r = { ...record.response, body: record.response.body.toString('base64') };
  return JSON.stringify(encoded);
}

function decode(text: string | null | undefined): StoreEntry | undefined {
  if (!text) return undefined;
  const encoded = JSON.parse(text) as Encoded;
  if (encoded.s === 'p') return { state: 'pending', fingerprint: encoded.f };
  const record: IdempotencyRecord = { fingerprint: encoded.f };
  if (encoded.r) record.response = { ...encoded.r, body: Buffer.from(encoded.r.body, 'base64') };
  return { state: 'done', record };
}

export function redisStore(redis: RedisClient, keyPrefix: string): IdempotencyStore {
  const at = (key: string) => keyPrefix + key;
  return {
    kind: 'redis',
    async claim(key, mark, lockTtl) {
      const held = (await redis.eval(CLAIM, 1, at(key), encodeMark(mark), String(lockTtl))) as string | null;
      return decode(held);
    },
    async get(key) {
      return decode(await redis.get(at(key)));
    },
    async complete(key, mark, record, ttl) {
      await redis.eval(COMPLETE, 1, at(key), encodeMark(mark), encodeRecord(record), String(ttl));
    },
    async release(key, mark) {
      await redis.eval(RELEASE, 1, at(key), encodeMark(mark));
    },
  };
}
