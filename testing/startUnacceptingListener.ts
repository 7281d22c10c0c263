// A loopback port whose accept queue is full, so a new TCP connect hangs: how a connect timeout
// is tested without sending a packet off this machine. A python3 child holds the listening socket
// without ever accepting (Node's own servers always accept).
import { spawn } from 'node:child_process';
import net from 'node:net';

export interface UnacceptingListener {
  port: number;
  close(): void;
}

export async function startUnacceptingListener(): Promise<UnacceptingListener> {
  const child = spawn('python3', [
    '-c',
    "import socket,time\ns=socket.socket();s.bind(('127.0.0.1',0));s.listen(0);print(s.getsockname()[1],flush=True);time.sleep(600)",
  ]);
  const port = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.stdout.once('data', (data: Buffer) => resolve(Number(String(data).trim())));
  });
  // Fill the accept queue (backlog 0 still queues one); later SYNs are dropped by the kernel.
  const fillers = Array.from({ length: 4 }, () => net.connect(port, '127.0.0.1').on('error', () => {}));
  await Promise.all(fillers.map((socket) => new Promise((resolve) => setTimeout(resolve, 50, socket))));
  return {
    port,
    close() {
      for (const socket of fillers) socket.destroy();
      child.kill();
    },
  };
}
