// nginx as a reverse proxy with one worker and upstream keep-alive: the production-grade baseline.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const upstream = new URL(process.env.BENCH_UPSTREAM!);
const binary = ['nginx', '/usr/sbin/nginx'].find((candidate) => spawnSync(candidate, ['-v']).status === 0);
if (!binary) {
  process.stderr.write('BENCH_ABSENT nginx is not installed (loadtest/bench/setup.sh installs it)\n');
  process.exit(0);
}

const port = await new Promise<number>((resolve) => {
  const probe = net.createServer().listen(0, '127.0.0.1', () => {
    const { port: free } = probe.address() as net.AddressInfo;
    probe.close(() => resolve(free));
  });
});
const prefix = mkdtempSync(join(tmpdir(), 'portico-bench-nginx-'));
writeFileSync(
  join(prefix, 'nginx.conf'),
  `worker_processes 1;
daemon off;
pid ${prefix}/nginx.pid;
error_log ${prefix}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${prefix}/body;
  proxy_temp_path ${prefix}/proxy;
  fastcgi_temp_path ${prefix}/fastcgi;
  uwsgi_temp_path ${prefix}/uwsgi;
  scgi_temp_path ${prefix}/scgi;
  upstream bench { server ${upstream.hostname}:${upstream.port}; keepalive 128; }
  server {
    listen 127.0.0.1:${port};
    keepalive_requests 100000;
    location / {
      proxy_pass http://bench;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    }
  }
}
`,
);
const child = spawn(binary, ['-p', prefix, '-c', join(prefix, 'nginx.conf')], { stdio: 'inherit' });
// Wait until it listens, then report; forward SIGTERM (nginx's graceful stop is SIGQUIT).
for (let attempt = 0; attempt < 100; attempt++) {
  const open = await new Promise<boolean>((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => (socket.destroy(), resolve(true)));
    socket.on('error', () => resolve(false));
  });
  if (open) break;
  await new Promise((resolve) => setTimeout(resolve, 50));
}
process.stderr.write(`BENCH_READY ${port} ${child.pid}\n`);
process.on('SIGTERM', () => {
  child.kill('SIGQUIT');
  child.once('exit', () => process.exit(0));
});
