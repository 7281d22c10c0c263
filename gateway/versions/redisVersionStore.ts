// The config history shared by every instance, in the Redis they already use. Keys under one
// prefix with a hash tag ({portico:config} by default), so a Redis Cluster keeps them in one slot
// and the append script stays atomic there too:
//   <p>:seq            the latest version number
//   <p>:v:<n>          version n (JSON), written once
//   <p>:hashes         hash → latest number with that content
//   <p>:head           the latest version's hash
//   <p>:acks:<n>       instance → its ACK/NACK of version n
//   <p>:instances      instance → what it runs now
//   <p>:audit          the audit trail (a list, appended)
//   <p>:appended       the pub/sub channel: the number of each new version
import type { RedisClient } from '../../contracts/plugin.ts';
import type { AuditEvent, ConfigVersion, InstanceAck, InstanceState } from './versionRecord.ts';
import { VersionStoreError, type VersionStore } from './versionStore.ts';

// Returns { appended (0|1), number }. The record is written with its number put first.
const APPEND = `
local seq = tonumber(redis.call('GET', KEYS[1]) or '0')
if seq > 0 and (ARGV[3] == 'seed' or redis.call('GET', KEYS[3]) == ARGV[2]) then return {0, seq} end
local n = redis.call('INCR', KEYS[1])
redis.call('SET', ARGV[4] .. n, '{"number":' .. n .. ',' .. string.sub(ARGV[1], 2))
redis.call('HSET', KEYS[2], ARGV[2], n)
redis.call('SET', KEYS[3], ARGV[2])
return {1, n}
`;

export function redisVersionStore(client: RedisClient, prefix: string): VersionStore {
  const key = (name: string) => `${prefix}:${name}`;
  const versionKey = (number: number) => `${prefix}:v:${number}`;
  const channel = key('appended');
  let subscriber: RedisClient | undefined;

  const failed = (what: string) => (error: unknown) => {
    throw new VersionStoreError(
      `the shared version history (Redis) cannot be ${what}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  };
  const parse = <T>(text: string | null | undefined): T | undefined =>
    text ? (JSON.parse(text) as T) : undefined;

  async function get(number: number): Promise<ConfigVersion | undefined> {
    return parse<ConfigVersion>(await client.get(versionKey(number)));
  }

  return {
    kind: 'redis',
    describe: `redis ${prefix}`,
    async append(entry, mode) {
      try {
        const [appended, number] = (await client.eval(
          APPEND,
          3,
          key('seq'),
          key('hashes'),
          key('head'),
          JSON.stringify(entry),
          entry.hash,
          mode,
          `${prefix}:v:`,
        )) as [number, number];
        const version = await get(number);
        if (!version) throw new Error(`version ${number} is missing`);
        return { version, appended: appended === 1 };
      } catch (error) {
        return failed('appended to')(error);
      }
    },
    latestNumber: () => client.get(key('seq')).then((seq) => Number(seq ?? 0), failed('read')),
    get: (number) => get(number).catch(failed('read')),
    async byHash(hash) {
      try {
        const exact = await client.hget(key('hashes'), hash);
        if (exact) return await get(Number(exact));
        if (!/^[0-9a-f]{4,63}$/.test(hash)) return undefined;
        const found = new Map<string, number>();
        let cursor = '0';
        do {
          const [next, pairs] = await client.hscan(key('hashes'), cursor, 'MATCH', `${hash}*`, 'COUNT', 1000);
          cursor = next;
          for (let index = 0; index < pairs.length; index += 2)
            found.set(pairs[index]!, Number(pairs[index + 1]));
        } while (cursor !== '0');
        return found.size === 1 ? await get([...found.values()][0]!) : undefined;
      } catch (error) {
        return failed('read')(error);
      }
    },
    async list(limit, before) {
      try {
        const seq = Number((await client.get(key('seq'))) ?? 0);
        const top = Math.min(seq, before === undefined ? seq : before - 1);
        const numbers: number[] = [];
        for (let number = top; number >= 1 && numbers.length < limit; number--) numbers.push(number);
        if (numbers.length === 0) return [];
        const texts = await client.mget(numbers.map(versionKey));
        return texts.flatMap((text) => parse<ConfigVersion>(text) ?? []);
      } catch (error) {
        return failed('read')(error);
      }
    },
    async report(state, ack) {
      const write = client.multi().hset(key('instances'), state.instance, JSON.stringify(state));
      if (ack) write.hset(key(`acks:${ack.version}`), ack.instance, JSON.stringify(ack));
      await write.exec().catch(failed('written'));
    },
    acks: (number) =>
      client
        .hvals(key(`acks:${number}`))
        .then((texts) => texts.map((text) => JSON.parse(text) as InstanceAck), failed('read')),
    instances: () =>
      client
        .hvals(key('instances'))
        .then((texts) => texts.map((text) => JSON.parse(text) as InstanceState), failed('read')),
    appendAudit: (event) =>
      client.rpush(key('audit'), JSON.stringify(event)).then(() => undefined, failed('appended to')),
    audit: (limit) =>
      client
        .lrange(key('audit'), -limit, -1)
        .then((texts) => texts.map((text) => JSON.parse(text) as AuditEvent), failed('read')),
    publish: (version) =>
      client.publish(channel, String(version.number)).then(() => undefined, failed('published to')),
    async subscribe(onAppended) {
      if (subscriber) return;
      // A connection of its own: a subscribed connection can run nothing else. It queues the
      // SUBSCRIBE until Redis answers, and ioredis subscribes again after each reconnect.
      subscriber =
        'duplicate' in client && !('nodes' in client)
          ? client.duplicate({ enableOfflineQueue: true, maxRetriesPerRequest: null, lazyConnect: false })
          : client.duplicate();
      subscriber.on('error', () => {
        // Reconnects on its own; the poll covers the gap, and the runtime's client logs Redis errors.
      });
      subscriber.on('ready', () => onAppended(undefined));
      subscriber.on('message', (from: string, message: string) => {
        if (from === channel && /^\d+$/.test(message)) onAppended(Number(message));
      });
      subscriber.subscribe(channel).catch(() => {});
    },
    async close() {
      subscriber?.disconnect();
      subscriber = undefined;
    },
  };
}
