// A counting forwarder in front of one real service: the test's own view of the subgraph calls
// the gateway makes (independent of the plugin's metrics), and a way to take the service away
// (refused connections, as when its process is killed) and bring it back on the same port. It can
// also hold the /graphql calls it gets until told, so a test can make operations overlap by a
// condition it observes rather than by timing.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SubgraphCall {
  method: string;
  url: string;
  /** The GraphQL document, from the query string (GET) or the JSON body (POST). */
  query: string;
  headers: http.IncomingHttpHeaders;
}

export interface SubgraphTap {
  url: string;
  calls: SubgraphCall[];
  /** Calls to /graphql only (health probes left out). */
  graphqlCalls(): SubgraphCall[];
  /** Answer /graphql calls with this body instead of forwarding them (undefined: forward again). */
  answerWith(body: unknown): void;
  /** Keep the /graphql calls that arrive from now on (recorded, unanswered) until `release`. */
  hold(): void;
  /** Let the held calls go on (forwarded or canned), and answer later ones at once again. */
  release(): void;
  /** Calls held now. */
  held(): number;
  kill(): Promise<void>;
  revive(): Promise<void>;
  close(): Promise<void>;
}

export async function startSubgraphTap(target: string): Promise<SubgraphTap> {
  const calls: SubgraphCall[] = [];
  let canned: unknown;
  let holding = false;
  let parked: Array<() => void> = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const url = new URL(req.url ?? '/', 'http://tap');
      let query = url.searchParams.get('query') ?? '';
      if (!query && body.length > 0) {
        try {
          query = String((JSON.parse(body.toString('utf8')) as { query?: unknown }).query ?? '');
        } catch {
          query = '';
        }
      }
      calls.push({ method: req.method ?? '', url: req.url ?? '', query, headers: req.headers });
      if (holding && url.pathname === '/graphql') parked.push(() => answer(url, body));
      else answer(url, body);
    });
    const answer = (url: URL, body: Buffer) => {
      if (canned !== undefined && url.pathname === '/graphql') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(canned));
        return;
      }
      const upstream = http.request(
        `${target}${req.url}`,
        { method: req.method, headers: { ...req.headers, host: new URL(target).host } },
        (reply) => {
          res.writeHead(reply.statusCode ?? 502, reply.headers);
          reply.pipe(res);
        },
      );
      upstream.on('error', () => {
        res.writeHead(502);
        res.end();
      });
      upstream.end(body);
    };
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const stop = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    graphqlCalls: () => calls.filter((call) => call.url.startsWith('/graphql')),
    answerWith: (body) => (canned = body),
    hold: () => (holding = true),
    release: () => {
      holding = false;
      const waiting = parked;
      parked = [];
      for (const go of waiting) go();
    },
    held: () => parked.length,
    kill: stop,
    revive: () => new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve)),
    close: () => (server.listening ? stop() : Promise.resolve()),
  };
}
