// The public contract as a document: it lints as OpenAPI 3.1, covers every endpoint of the seeds'
// API, and stays in step with the services' own documents through the routes of the embedded
// config (gateway/portico.yaml): a service that drifts fails this test (shown with a fixture).
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { startTestGateway, type TestGateway } from '../../testing/index.ts';
import { contractConsistency, type RouteFacts } from './contractConsistency.ts';
import { lintContract } from './lintContract.ts';
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
      expect({ file, issues: lintContract(await readContractDocument(file), { examples: true }) }).toEqual({
        file,
        issues: [],
      });
    }
  });

  it("the services' own documents are clean OpenAPI 3.1", async () => {
    for (const [name, document] of await serviceDocuments()) {
      expect({ name, issues: lintContract(document) }).toEqual({ name, issues: [] });
    }
  });

  it('finds what is wrong in a broken document', () => {
    const issues = lintContract(
      {
        openapi: '3.0.3',
        info: { title: 'broken' },
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
        components: { schemas: { Thing: { type: 'thing', required: 'id' } } },
      },
      { examples: true },
    );
    const messages = issues.map((issue) => `${issue.at} ${issue.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^\/openapi must match pattern/),
        "/info must have required property 'version'",
        expect.stringMatching(
          /^\/components\/schemas\/Thing\/type schema: must be equal to one of the allowed values/,
        ),
        expect.stringMatching(/^\/components\/schemas\/Thing\/required schema: must be array/),
        expect.stringContaining('#/components/schemas/Missing does not resolve'),
        expect.stringContaining('unknown security scheme nobody'),
        expect.stringContaining('path parameter {id} is not declared'),
        expect.stringContaining('operationId getThing is also used'),
        expect.stringContaining('describes no success answer'),
        expect.stringContaining('has no example'),
      ]),
    );
  });
});

describe('the published /openapi.json', () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startTestGateway({
      upstreams: { api: { url: 'http://127.0.0.1:9', health: false } },
      plugins: [{ name: 'openapi' }],
      routes: [],
    });
  });
  afterAll(() => gateway?.stop());

  it('validates as OpenAPI 3.1 and covers every seed endpoint', async () => {
    const response = await fetch(`${gateway.url}/openapi.json`);
    expect(response.status).toBe(200);
    const document = (await response.json()) as JsonNode;
    expect(document.openapi).toMatch(/^3\.1\./);
    expect(lintContract(document, { examples: true })).toEqual([]);
    const operations = operationsOf(document);
    expect(operations).toEqual(expect.arrayContaining(SEED_ENDPOINTS));
    expect(operations).toHaveLength(SEED_ENDPOINTS.length);
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
