// A Database on a PGlite served by another process (servePGlite). The connection is made on
// first use and again after it drops, waiting for the host while it starts.
import net from 'node:net';
import type { Database, Queryable, QueryResult } from './Database.ts';
import { readFrames, writeFrame, type DatabaseAnswer, type DatabaseCall } from './frames.ts';

/** How long a call waits for the host to listen (it may still be opening its data directory). */
const CONNECT_WAIT_MS = 120_000;

export function remoteDatabase(socketPath: string): Database {
  let socket: Promise<net.Socket> | undefined;
  let nextId = 0;
  const pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();

  function connectOnce(): Promise<net.Socket> {
    return new Promise((resolve, reject) => {
      const connection = net.connect(socketPath);
      connection.once('connect', () => resolve(connection));
      connection.once('error', reject);
    });
  }

  async function connect(): Promise<net.Socket> {
    const deadline = Date.now() + CONNECT_WAIT_MS;
    for (;;) {
      try {
        const connection = await connectOnce();
        connection.on('error', () => connection.destroy());
        connection.once('close', () => {
          socket = undefined;
          for (const waiter of pending.values()) waiter.reject(new Error('database host connection lost'));
          pending.clear();
        });
        readFrames<DatabaseAnswer>(connection, (answer) => {
          const waiter = pending.get(answer.id);
          if (!waiter) return;
          pending.delete(answer.id);
          if (answer.error) waiter.reject(Object.assign(new Error(answer.error.message), answer.error));
          else waiter.resolve(answer.result);
        });
        connection.unref();
        return connection;
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  }

  async function call(
    op: DatabaseCall['op'],
    fields: Omit<DatabaseCall, 'id' | 'op'> = {},
  ): Promise<unknown> {
    socket ??= connect().catch((error: unknown) => {
      socket = undefined;
      throw error;
    });
    const connection = await socket;
    const id = nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      // A pending call keeps the process alive as an in-process database would.
      connection.ref();
      writeFrame(connection, { id, op, ...fields });
    }).finally(() => {
      if (pending.size === 0) connection.unref();
    });
  }

  const queryable = (tx?: number): Queryable => ({
    async query<Row>(text: string, params?: unknown[]): Promise<QueryResult<Row>> {
      const result = (await call('query', { tx, text, params })) as { rows: Row[]; affectedRows?: number };
      return { rows: result.rows, rowCount: result.rows.length || result.affectedRows || 0 };
    },
    async exec(text: string): Promise<void> {
      await call('exec', { tx, text });
    },
  });

  return {
    ...queryable(),
    async transaction(work) {
      const tx = (await call('begin')) as number;
      try {
        const result = await work(queryable(tx));
        await call('commit', { tx });
        return result;
      } catch (error) {
        await call('rollback', { tx }).catch(() => {});
        throw error;
      }
    },
    async ping() {
      await call('query', { text: 'select 1' });
    },
    async close() {
      const connection = await socket?.catch(() => undefined);
      connection?.destroy();
      socket = undefined;
    },
  };
}
