// The public listener hapi runs on (its `listener` option): a node http.Server with the edge's
// connection limits (`server.limits`), and every refusal of a malformed or abusive request as
// problem+json from the edge, before any route, plugin or upstream sees it.
import http from 'node:http';
import type { Duplex } from 'node:stream';
import { problem, PROBLEM_CONTENT_TYPE } from '../../contracts/problem.ts';

export interface ListenerLimits {
  /** Time to receive the complete request head. */
  headerTimeout: number;
  /** Time to receive the complete request, body included. */
  requestTimeout: number;
  /** Largest request head in bytes (request line and every header). */
  maxHeaderSize: number;
  /** Most request headers. */
  maxHeaderCount: number;
  /** Open client connections per process (per worker under `--workers`); 0: no limit. */
  maxConnections: number;
}

/** What the parser's error codes mean for the client. */
const CLIENT_ERROR_STATUS: Record<string, [number, string]> = {
  HPE_HEADER_OVERFLOW: [431, 'Request Header Fields Too Large'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'Request Timeout'],
  HPE_HEADERS_TIMEOUT: [408, 'Request Timeout'],
};

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  408: 'Request Timeout',
  431: 'Request Header Fields Too Large',
};

function problemResponse(status: number, title: string, detail: string): string {
  const body = JSON.stringify(problem(status, title, detail));
  return [
    `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? title}`,
    `content-type: ${PROBLEM_CONTENT_TYPE}`,
    `content-length: ${Buffer.byteLength(body)}`,
    'cache-control: no-store',
    'connection: close',
    '',
    body,
  ].join('\r\n');
}

/** Why a parsed request is refused before hapi sees it, or undefined. */
export function refusal(
  request: http.IncomingMessage,
  limits: Pick<ListenerLimits, 'maxHeaderCount'>,
): [number, string, string] | undefined {
  // llhttp reads a request line without a version as HTTP/0.9: no headers, no framing.
  if (request.httpVersionMajor < 1)
    return [400, 'Bad Request', 'a request line without an HTTP version (HTTP/0.9) is not served'];
  if (request.httpVersionMajor === 1 && request.httpVersionMinor >= 1 && request.headers.host === undefined)
    return [400, 'Bad Request', 'an HTTP/1.1 request must carry a Host header'];
  // The parser keeps maxHeaderCount + 1 headers (see below): more than the limit were sent.
  if (request.rawHeaders.length / 2 > limits.maxHeaderCount)
    return [
      431,
      'Request Header Fields Too Large',
      `more than ${limits.maxHeaderCount} request headers (server.limits.maxHeaderCount)`,
    ];
  return undefined;
}

/** Refuses a request on the raw socket: problem+json, then the connection closes. */
function refuse(response: http.ServerResponse, [status, title, detail]: [number, string, string]): void {
  const body = JSON.stringify(problem(status, title, detail));
  response.shouldKeepAlive = false;
  response.writeHead(status, {
    'content-type': PROBLEM_CONTENT_TYPE,
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    connection: 'close',
  });
  response.end(body);
  // Whatever body follows is not read: the connection ends with the response.
  response.once('finish', () => response.socket?.destroySoon?.());
}

class EdgeServer extends http.Server {
  constructor(
    options: http.ServerOptions,
    private readonly limits: ListenerLimits,
  ) {
    super(options);
  }

  // Requests reach hapi through 'request' events; a refused one never becomes a hapi request.
  override emit(event: string | symbol, ...args: unknown[]): boolean {
    if (event === 'request' || event === 'checkContinue') {
      const reason = refusal(args[0] as http.IncomingMessage, this.limits);
      if (reason) {
        refuse(args[1] as http.ServerResponse, reason);
        return true;
      }
    }
    return Reflect.apply(http.Server.prototype.emit, this, [event, ...args]) as boolean;
  }
}

export function createListener(limits: ListenerLimits): http.Server {
  const server = new EdgeServer(
    {
      headersTimeout: limits.headerTimeout,
      requestTimeout: limits.requestTimeout,
      maxHeaderSize: limits.maxHeaderSize,
      // Checked by refusal() above: a missing Host gets problem+json, not Node's bare 400.
      requireHostHeader: false,
      // Timeouts are only checked this often: a fraction of the shortest, so a slow client is cut
      // close to its limit (Node's default is every 30 s).
      connectionsCheckingInterval: Math.max(
        50,
        Math.min(30_000, Math.floor(Math.min(limits.headerTimeout, limits.requestTimeout) / 4)),
      ),
    },
    limits,
  );
  // Node keeps at most this many headers and drops the rest silently: one more than the limit
  // lets refusal() see that the limit was passed.
  server.maxHeadersCount = limits.maxHeaderCount + 1;
  if (limits.maxConnections > 0) server.maxConnections = limits.maxConnections;
  // First listener (hapi adds its own later): a client error gets problem+json, then the
  // connection is destroyed, so hapi's bare "400 Bad Request" is never written.
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    const inProgress = (socket as Duplex & { _httpMessage?: http.ServerResponse })._httpMessage;
    if (socket.writable && !inProgress?.headersSent && error.code !== 'ECONNRESET') {
      const [status, title] = CLIENT_ERROR_STATUS[error.code ?? ''] ?? [400, 'Bad Request'];
      const detail =
        status === 431
          ? 'the request head is larger than server.limits.maxHeaderSize'
          : status === 408
            ? 'the request was not received within server.limits.headerTimeout / requestTimeout'
            : 'the request could not be parsed as HTTP/1.1';
      socket.write(problemResponse(status, title, detail));
    }
    socket.destroy();
  });
  return server;
}
