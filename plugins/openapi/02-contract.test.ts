// The public contract as a document: it validates against the OAI's OpenAPI 3.1 schema and its
// Schema Object dialect and lints clean, as written and as served, covers every endpoint of the seeds'
// API, and stays in step with the services' own documents through the routes of the embedded
// config (gateway/portico.yaml): a service that drifts fails this test (shown with a fixture).
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { startTestGateway, type TestGateway } from '../../testing/index.ts';
import { contractConsistency, type RouteFacts } from './contractConsistency.ts';
import { lintContract } from './lintContract.ts';
import { officialSchemaIssues } from './officialSchemaIssues.ts';
import { readContractDocument } from './loadContract.ts';
import type { JsonNode } from './resolveRefs.ts';

/** DESIGN.md, "The domain": the public API the seeds ask for. */
const SEED_ENDPOINTS = [
  'POST /auth/register',
  'POST /auth/login',
  'POST /auth/sso',
  'POST /auth/refresh',
  'POST /auth/logout',
  'GET /programs',
  'GET /programs/{id}',
  'GET /programs/search',
  'GET /programs/filter',
  'POST /programs/{id}/register',
  'GET /resources',
  'GET /resources/{id}',
  'GET /resources/{id}/download',
  'POST /resources',
  'PUT /resources/{id}',
  'POST /appointments',
  'GET /appointments',
  'GET /appointments/{id}',
  'PUT /appointments/{id}',
  'DELETE /appointments/{id}',
];
const SERVICES = ['identity', 'programs', 'appointments', 'resources'];

function operationsOf(document: JsonNode): string[] {
  return Object.entries(document.paths as Record<string, JsonNode>).flatMap(([path, item]) =>
    Object.keys(item)
      .filter((key) => ['get', 'put', 'post', 'delete', 'patch'].includes(key))
      .map((method) => `${method.toUpperCase()} ${path}`),
  );
}

const configRoutes = (YAML.parse(readFileSync('gateway/portico.yaml', 'utf8')) as { routes: RouteFacts[] })
  .routes;

async function serviceDocuments(overrides: Record<string, string> = {}): Promise<Map<string, JsonNode>> {
  const entries = await Promise.all(
    SERVICES.map(
      async (name) =>
        [name, await readContractDocument(overrides[name] ?? `contracts/openapi/${name}.yaml`)] as const,
    ),
  );
  return new Map(entries);
}

describe('lint', () => {
  it('public-v1 and public-v2 are clean OpenAPI 3.1, with an example for every body and success answer', async () => {
    for (const file of ['contracts/openapi/public-v1.yaml', 'contracts/openapi/public-v2.yaml']) {
      expect({
        file,
        issues: await lintContract(await readContractDocument(file), { examples: true }),
      }).toEqual({ file, issues: [] });
    }
  });

  it("the services' own documents are clean OpenAPI 3.1", async () => {
    for (const [name, document] of await serviceDocuments()) {
      expect({ name, issues: await lintContract(document) }).toEqual({ name, issues: [] });
    }
  });

  it("the OAI's 3.1 schema and its dialect refuse a broken copy of public-v1, at each break", async () => {
    const broken = structuredClone(
      await readContractDocument('contracts/openapi/public-v1.yaml'),
    ) as JsonNode;
    expect(await officialSchemaIssues(broken)).toEqual([]);
    const paths = broken.paths as Record<string, Record<string, JsonNode>>;
    const schemas = (broken.components as JsonNode).schemas as Record<string, JsonNode>;
    broken.openapi = '3.0.3';
    // A misspelt method: a key a Path Item does not have.
    paths['/appointments']!.gett = paths['/appointments']!.get!;
    delete (paths['/appointments/{id}']!.get!.responses as Record<string, JsonNode>)['200']!.description;
    // The dialect: draft 2020-12's keywords and the OAS vocabulary's (a discriminator needs its
    // propertyName).
    schemas.Appointment!.required = 'id';
    schemas.Program!.discriminator = { mapping: {} };

    const issues = await officialSchemaIssues(broken);
    const SCHEMA = 'https://spec.openapis.org/oas/3.1/schema';
    expect(issues).toEqual(
      expect.arrayContaining([
        { at: '/openapi', message: `violates ${SCHEMA}#/properties/openapi/pattern` },
        {
          at: '/paths/~1appointments/gett',
          message: `violates ${SCHEMA}#/$defs/path-item/unevaluatedProperties`,
        },
        {
          at: '/paths/~1appointments~1{id}/get/responses/200',
          message: `violates ${SCHEMA}#/$defs/response/required`,
        },
        {
          at: '/components/schemas/Appointment/required',
          message: 'violates https://json-schema.org/draft/2020-12/meta/validation#/$defs/stringArray/type',
        },
        {
          at: '/components/schemas/Program/discriminator',
          message: 'violates https://spec.openapis.org/oas/3.1/meta/base#/$defs/discriminator/required',
        },
      ]),
    );
    // Nothing but the five breaks.
    expect(new Set(issues.map((issue) => issue.at)).size).toBe(5);
    expect((await lintContract(broken, { examples: true })).slice(0, issues.length)).toEqual(issues);
  });

  it("finds what the specification asks and no JSON Schema can check, in a document the OAI's schema accepts", async () => {
    const document = {
      openapi: '3.1.0',
      info: { title: 'broken', version: '1' },
      paths: {
        '/things/{id}': {
          get: {
            operationId: 'getThing',
            security: [{ nobody: [] }],
            responses: {
              '200': {
                description: 'A thing.',
                content: { 'application/json': { schema: { $ref: '#/components/schemas/Missing' } } },
              },
            },
          },
          post: { operationId: 'getThing', responses: { '400': { description: 'No.' } } },
        },
      },
      components: { schemas: { Thing: { type: 'object', required: ['id'] } } },
    };
    expect(await officialSchemaIssues(document)).toEqual([]);
    const messages = (await lintContract(document, { examples: true })).map(
      (issue) => `${issue.at} ${issue.message}`,
    );
    expect(messages.sort()).toEqual(
      [
        '/paths/~1things~1{id}/get path parameter {id} is not declared',
        '/paths/~1things~1{id}/get/responses/200/content/application~1json has no example',
        '/paths/~1things~1{id}/get/responses/200/content/application~1json/schema/$ref #/components/schemas/Missing does not resolve',
        '/paths/~1things~1{id}/get/security/0 unknown security scheme nobody',
        '/paths/~1things~1{id}/post operationId getThing is also used at /paths/~1things~1{id}/get',
        '/paths/~1things~1{id}/post path parameter {id} is not declared',
        '/paths/~1things~1{id}/post/responses describes no success answer',
      ].sort(),
    );
  });
});

describe('the published documents', () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startTestGateway({
      upstreams: { api: { url: 'http://127.0.0.1:9', health: false } },
      plugins: [
        {
          name: 'openapi',
          options: {
            apis: [
              { name: 'v1', document: 'contracts/openapi/public-v1.yaml' },
              { name: 'v2', document: 'contracts/openapi/public-v2.yaml' },
            ],
          },
        },
      ],
      routes: [],
    });
  });
  afterAll(() => gateway?.stop());

  async function served(path: string): Promise<JsonNode> {
    const response = await fetch(`${gateway.url}${path}`);
    expect({ path, status: response.status }).toEqual({ path, status: 200 });
    return (await response.json()) as JsonNode;
  }

  it('/openapi.json validates as OpenAPI 3.1 and covers every seed endpoint', async () => {
    const document = await served('/openapi.json');
    expect(document.openapi).toMatch(/^3\.1\./);
    expect(await lintContract(document, { examples: true })).toEqual([]);
    const operations = operationsOf(document);
    expect(operations).toEqual(expect.arrayContaining(SEED_ENDPOINTS));
    expect(operations).toHaveLength(SEED_ENDPOINTS.length);
  });

  it('/api/v1/openapi.json and /api/v2/openapi.json validate as OpenAPI 3.1 too', async () => {
    for (const path of ['/api/v1/openapi.json', '/api/v2/openapi.json']) {
      const document = await served(path);
      expect({ path, issues: await lintContract(document, { examples: true }) }).toEqual({
        path,
        issues: [],
      });
    }
    expect((await served('/api/v2/openapi.json')).info).toMatchObject({ version: '2.0.0' });
  });
});

describe('consistency with the services', () => {
  it("every public operation exists upstream (after the route's stripPrefix) with compatible schemas", async () => {
    const publicDocument = await readContractDocument('contracts/openapi/public-v1.yaml');
    expect(contractConsistency(publicDocument, configRoutes, await serviceDocuments())).toEqual([]);
  });

  it('fails when a service drifts (a fixture: appointments renamed startsAt, tightened serviceType, dropped DELETE)', async () => {
    const publicDocument = await readContractDocument('contracts/openapi/public-v1.yaml');
    const issues = contractConsistency(
      publicDocument,
      configRoutes,
      await serviceDocuments({ appointments: 'plugins/openapi/fixtures/appointments-drifted.yaml' }),
    );
    const messages = issues.map((issue) => `${issue.operation}: ${issue.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        'POST /api/v1/appointments: request application/json body.startTime: is required (appointments POST /appointments)',
        'POST /api/v1/appointments: request application/json body.serviceType: maxLength must be at most 32 (appointments POST /appointments)',
        'GET /api/v1/appointments/{id}: 200 application/json response.startsAt: is required (appointments GET /appointments/{id})',
        'DELETE /api/v1/appointments/{id}: appointments has no DELETE /appointments/{id}',
      ]),
    );
    // Only the drifted service's operations are named.
    expect(issues.every((issue) => issue.operation.includes('/appointments'))).toBe(true);
  });

  it('fails when the public contract promises what the route does not send anywhere', async () => {
    const publicDocument = await readContractDocument('contracts/openapi/public-v1.yaml');
    const withoutAuthRoute = configRoutes.filter((route) => route.name !== 'auth');
    const issues = contractConsistency(publicDocument, withoutAuthRoute, await serviceDocuments());
    expect(issues.map((issue) => issue.operation).sort()).toEqual(
      ['/auth/login', '/auth/logout', '/auth/refresh', '/auth/register', '/auth/sso'].map(
        (path) => `POST /api/v1${path}`,
      ),
    );
  });
});
