// One PGlite shared by several processes (`portico dev`: one per service): a Unix socket over
// which each client runs statements and transactions. PGlite is one Postgres session, so
// statements run one at a time, as they do when the services share it in one process.
import { rm } from 'node:fs/promises';
import net from 'node:net';
import type { PGlite, Transaction } from '@electric-sql/pglite';
import { errorFields, readFrames, writeFrame, type DatabaseAnswer, type DatabaseCall } from './frames.ts';

const ROLLBACK = Symbol('rollback');

interface OpenTransaction {
  tx: Transaction;
  finish(commit: boolean): Promise<void>;
}

export async function servePGlite(pglite: PGlite, socketPath: string): Promise<{ close(): Promise<void> }> {
  await rm(socketPath, { force: true });
  let nextTx = 0;
  const connections = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    connections.add(socket);
    const open = new Map<number, OpenTransaction>();
    const answer = (value: DatabaseAnswer) => {
      if (!socket.destroyed) writeFrame(socket, value);
    };
    // A client gone mid-transaction must not hold the one session: roll its work back.
    socket.on('close', () => {
      connections.delete(socket);
      for (const transaction of open.values()) void transaction.finish(false);
      open.clear();
    });
    socket.on('error', () => socket.destroy());
    readFrames<DatabaseCall>(socket, (call) => {
      void run(call).then(
        (result) => answer({ id: call.id, result }),
        (error: unknown) => answer({ id: call.id, error: errorFields(error) }),
      );
    });

    async function run(call: DatabaseCall): Promise<unknown> {
      const target = call.tx === undefined ? pglite : open.get(call.tx)?.tx;
      if (!target) throw new Error(`no open transaction ${call.tx}`);
      switch (call.op) {
        case 'query': {
          const result = await target.query(call.text!, call.params);
          return { rows: result.rows, affectedRows: result.affectedRows };
        }
        case 'exec':
          await target.exec(call.text!);
          return undefined;
        case 'begin':
          return begin();
        case 'commit':
        case 'rollback': {
          const transaction = open.get(call.tx!);
          open.delete(call.tx!);
          await transaction?.finish(call.op === 'commit');
          return undefined;
        }
      }
    }

    /** Opens a transaction held until its commit or rollback arrives; answers its id. */
    function begin(): Promise<number> {
      return new Promise((resolveId, rejectId) => {
        const id = nextTx++;
        let decide: (commit: boolean) => void = () => {};
        const decided = new Promise<boolean>((resolve) => (decide = resolve));
        // Settles when PGlite has committed (or failed to) or rolled back.
        const outcome = pglite
          .transaction(async (tx) => {
            open.set(id, {
              tx,
              finish: async (commit) => {
                decide(commit);
                await outcome;
              },
            });
            resolveId(id);
            if (!(await decided)) throw ROLLBACK;
          })
          .then(
            () => {},
            (error: unknown) => {
              if (error === ROLLBACK) return;
              rejectId(error);
              throw error;
            },
          );
        // A failed begin is answered through rejectId; a failed commit through finish().
        outcome.catch(() => {});
      });
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => resolve());
  });
  return {
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of connections) socket.destroy();
      });
      await rm(socketPath, { force: true });
    },
  };
}
