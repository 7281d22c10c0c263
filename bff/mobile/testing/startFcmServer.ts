// A local server speaking FCM's HTTP v1 send API (POST /v1/projects/{project}/messages:send with a
// bearer token), for tests: it records every attempt and fails the ones `failWhen` picks with 503.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FcmMessage {
  token: string;
  notification?: { title?: string; body?: string };
  data?: Record<string, string>;
}

export interface FcmServer {
  url: string;
  /** Every attempt, in arrival order, with the status it got. */
  attempts: { token: string; status: number }[];
  /** Messages accepted (200), in order. */
  delivered: FcmMessage[];
  close(): Promise<void>;
}

export async function startFcmServer(options: {
  project: string;
  accessToken: string;
  /** Attempt number (1-based, over all attempts) → fail it with 503. */
  failWhen?: (attempt: number, message: FcmMessage) => boolean;
}): Promise<FcmServer> {
  const attempts: FcmServer['attempts'] = [];
  const delivered: FcmMessage[] = [];
  const sendPath = `/v1/projects/${options.project}/messages:send`;
  const reply = (res: http.ServerResponse, status: number, body: object) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8' }).end(JSON.stringify(body));
  };
  const error = (res: http.ServerResponse, code: number, status: string, message: string) =>
    reply(res, code, { error: { code, message, status } });
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== sendPath) return error(res, 404, 'NOT_FOUND', 'Not found');
      if (req.headers.authorization !== `Bearer ${options.accessToken}`)
        return error(res, 401, 'UNAUTHENTICATED', 'Request had invalid authentication credentials.');
      let message: FcmMessage | undefined;
      try {
        message = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { message?: FcmMessage }).message;
      } catch {
        // answered below
      }
      if (!message || typeof message.token !== 'string')
        return error(res, 400, 'INVALID_ARGUMENT', 'The message must name a registration token.');
      const attempt = attempts.length + 1;
      if (options.failWhen?.(attempt, message)) {
        attempts.push({ token: message.token, status: 503 });
        return error(res, 503, 'UNAVAILABLE', 'The service is currently unavailable.');
      }
      attempts.push({ token: message.token, status: 200 });
      delivered.push(message);
      reply(res, 200, { name: `projects/${options.project}/messages/${attempt}` });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    attempts,
    delivered,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
