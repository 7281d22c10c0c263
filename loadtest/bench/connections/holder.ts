// One connection-holding process (started by run.ts with an IPC channel). It opens keep-alive
// connections to the gateway from its own loopback source address (so the ephemeral ports of one
// address are not shared with the other holders), makes one request on each (an idle keep-alive
// client is one that has been answered), then keeps them idle, sending a request on each connection
// every `pingMs` as a real idle client does so as not to be closed. Every loop is bounded.
import net from 'node:net';
import { getRequest, parseResponse } from './rawHttp.ts';
import type { HolderCommand, HolderReport } from './holderProtocol.ts';

const IN_FLIGHT = 256;
const PATH = '/api/v1/programs/42';
/** Errors that mean this side cannot open more: stop instead of retrying. */
const FATAL_CODES = new Set(['EMFILE', 'ENFILE', 'EADDRNOTAVAIL', 'ENOBUFS', 'ENOMEM']);

interface Held {
  socket: net.Socket;
  buffer: Buffer;
  pending: boolean;
  lastUsed: number;
}

const host = process.env.HOLDER_TARGET_HOST ?? '127.0.0.1';
const port = Number(process.env.HOLDER_TARGET_PORT);
const localAddress = process.env.HOLDER_LOCAL_ADDRESS ?? '127.0.0.1';
const pingMs = Number(process.env.HOLDER_PING_MS ?? 240_000);
const request = getRequest(PATH, `${host}:${port}`);

const held = new Set<Held>();
const errors: Record<string, number> = {};
const statuses: Record<string, number> = {};
let closedByServer = 0;
let pings = 0;
let fatal: string | undefined;
let closing = false;

function report(type: HolderReport['type']): HolderReport {
  return { type, open: held.size, closedByServer, errors, statuses, pings, fatal, pid: process.pid };
}

function send(message: HolderReport): void {
  if (process.connected) process.send!(message);
}

/** Opens one connection and makes its first request; resolves true once answered. */
function openOne(deadline: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port, localAddress });
    const entry: Held = { socket, buffer: Buffer.alloc(0), pending: true, lastUsed: Date.now() };
    let settled = false;
    const settle = (ok: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(ok);
    };
    const timer = setTimeout(
      () => {
        errors.FIRST_RESPONSE_TIMEOUT = (errors.FIRST_RESPONSE_TIMEOUT ?? 0) + 1;
        socket.destroy();
        settle(false);
      },
      Math.max(1000, deadline - Date.now()),
    );
    socket.setNoDelay(true);
    socket.once('connect', () => socket.write(request));
    socket.on('data', (data: Buffer) => {
      entry.buffer = entry.buffer.length === 0 ? data : Buffer.concat([entry.buffer, data]);
      const parsed = parseResponse(entry.buffer);
      if (!parsed.complete) return;
      entry.buffer = Buffer.alloc(0);
      entry.pending = false;
      entry.lastUsed = Date.now();
      statuses[parsed.status] = (statuses[parsed.status] ?? 0) + 1;
      if (!settled) {
        held.add(entry);
        settle(true);
      }
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      const code = error.code ?? 'ERROR';
      errors[code] = (errors[code] ?? 0) + 1;
      if (FATAL_CODES.has(code)) fatal ??= code;
    });
    socket.on('close', () => {
      if (held.delete(entry) && !closing) closedByServer++;
      settle(false);
    });
  });
}

/** Opens connections until `target` are held, a fatal error, or the deadline; at most target × 1.2 attempts. */
async function openUpTo(target: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let attempts = 0;
  const maxAttempts = Math.ceil(target * 1.2) + 100;
  let opening = 0;
  const lane = async () => {
    while (held.size + opening < target && !fatal && Date.now() < deadline && attempts < maxAttempts) {
      attempts++;
      opening++;
      await openOne(deadline);
      opening--;
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
}

// Keep-alive pings: each connection idle for pingMs gets one request. Bounded per tick.
const PINGS_PER_TICK = 2000;
const pinger = setInterval(() => {
  const due = Date.now() - pingMs;
  let sent = 0;
  for (const entry of held) {
    if (sent >= PINGS_PER_TICK) break;
    if (entry.pending || entry.lastUsed > due) continue;
    entry.pending = true;
    entry.lastUsed = Date.now();
    entry.socket.write(request);
    pings++;
    sent++;
  }
}, 1000);

process.on('message', (message: HolderCommand) => {
  if (message.cmd === 'open') {
    void openUpTo(message.target, message.timeoutMs).then(() => send(report('opened')));
  } else if (message.cmd === 'status') {
    send(report('status'));
  } else if (message.cmd === 'close') {
    closing = true;
    clearInterval(pinger);
    for (const entry of held) entry.socket.destroy();
    held.clear();
    send(report('closed'));
    setTimeout(() => process.exit(0), 50);
  }
});
// The orchestrator is gone: nothing will ever close these.
process.once('disconnect', () => process.exit(0));
send(report('status'));
