// The subgraphs every GraphQL row is measured against: the four contracts' SDLs served from memory
// (50 appointments, 10 programs, 8 users), one port each, counting /graphql calls. Auth is not
// checked here: the rows compare gateways, not the services. Root fields are functions of the root
// value, which graphql-js calls with (args, context, info). A control port answers
// GET /ports, GET /calls and POST /reset.
import http from 'node:http';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { buildSchema, execute, parse, validate, type DocumentNode, type GraphQLSchema } from 'graphql';

const NAMES = ['identity', 'programs', 'appointments', 'resources'] as const;
type Name = (typeof NAMES)[number];

const id = (kind: number, index: number) =>
  `00000000-0000-4000-8000-${String(kind).padStart(4, '0')}${String(index).padStart(8, '0')}`;
const users = Array.from({ length: 8 }, (_, index) => ({
  id: id(1, index),
  name: `User ${index}`,
  email: null,
  roles: index < 3 ? ['staff'] : ['student'],
  createdAt: '2026-01-01T00:00:00Z',
}));
const programs = Array.from({ length: 10 }, (_, index) => ({
  id: id(2, index),
  guid: `program-${index}`,
  title: `Program ${index}`,
  summary: 'A program',
  category: 'wellbeing',
  link: null,
  startsAt: '2026-12-01T10:00:00Z',
  endsAt: null,
  updatedAt: '2026-01-01T00:00:00Z',
}));
const appointments = Array.from({ length: 50 }, (_, index) => ({
  id: id(3, index),
  studentId: users[3 + (index % 5)]!.id,
  staffId: users[index % 3]!.id,
  programId: programs[index % 10]!.id,
  serviceType: 'counselling',
  startsAt: `2026-12-${String(1 + (index % 28)).padStart(2, '0')}T10:00:00Z`,
  status: 'confirmed',
  notes: null,
  createdAt: '2026-01-01T00:00:00Z',
  updatedAt: '2026-01-01T00:00:00Z',
}));
const byIds = <T extends { id: string }>(rows: T[]) => {
  const index = new Map(rows.map((row) => [row.id, row]));
  return (args: { ids: string[] }) => args.ids.map((key) => index.get(key) ?? null);
};
const page =
  <T>(rows: T[]) =>
  (args: { limit?: number }) => ({
    items: rows.slice(0, args.limit ?? 20),
    nextCursor: null,
  });

const roots: Record<Name, Record<string, unknown>> = {
  identity: {
    me: () => users[0],
    user: (a: { id: string }) => users.find((u) => u.id === a.id) ?? null,
    usersByIds: byIds(users),
  },
  programs: {
    programs: page(programs),
    program: (a: { id: string }) => programs.find((p) => p.id === a.id) ?? null,
    searchPrograms: () => programs,
    programsByIds: byIds(programs),
  },
  appointments: {
    appointments: page(
      appointments.map((row) => ({
        ...row,
        program: { id: row.programId },
        student: { id: row.studentId },
        staff: { id: row.staffId },
      })),
    ),
    appointment: () => null,
    appointmentsByIds: () => [],
  },
  resources: { resources: page([]), resource: () => null, resourcesByIds: () => [] },
};

function serve(name: Name, schema: GraphQLSchema, calls: Record<Name, number>): http.Server {
  const documents = new Map<string, DocumentNode>();
  return http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      calls[name] += 1;
      if (process.env.BENCH_TRACE) process.stderr.write(`${name} ${req.method} ${req.url?.slice(0, 300)}\n`);
      const url = new URL(req.url ?? '/', 'http://subgraph');
      type Params = { query?: string; variables?: Record<string, unknown> | string; operationName?: string };
      const params: Params =
        req.method === 'GET'
          ? {
              query: url.searchParams.get('query') ?? undefined,
              variables: url.searchParams.get('variables') ?? undefined,
              operationName: url.searchParams.get('operationName') ?? undefined,
            }
          : (JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Params);
      const variables =
        typeof params.variables === 'string' ? JSON.parse(params.variables) : params.variables;
      let document = documents.get(params.query ?? '');
      if (!document) {
        document = parse(params.query ?? '');
        const errors = validate(schema, document);
        if (errors.length > 0) {
          res.writeHead(400, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ errors }));
          return;
        }
        documents.set(params.query ?? '', document);
      }
      void Promise.resolve(
        execute({
          schema,
          document,
          rootValue: roots[name],
          variableValues: variables,
          operationName: params.operationName,
        }),
      ).then((result) => {
        const body = JSON.stringify(result);
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
        res.end(body);
      });
    });
  });
}

const calls = Object.fromEntries(NAMES.map((name) => [name, 0])) as Record<Name, number>;
const ports: Partial<Record<Name, number>> = {};
for (const name of NAMES) {
  const sdl = readFileSync(new URL(`../../../contracts/graphql/${name}.graphql`, import.meta.url), 'utf8');
  const server = serve(name, buildSchema(sdl), calls);
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  ports[name] = (server.address() as AddressInfo).port;
}
const control = http.createServer((req, res) => {
  if (req.method === 'POST' && req.url === '/reset') for (const name of NAMES) calls[name] = 0;
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(req.url === '/ports' ? ports : calls));
});
control.listen(0, '127.0.0.1', () => {
  process.stderr.write(`BENCH_READY ${(control.address() as AddressInfo).port}\n`);
});
process.on('SIGTERM', () => process.exit(0));
