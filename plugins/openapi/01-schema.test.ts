import { describe, expect, it } from 'vitest';
import { configIssuesOf, MINIMAL_CONFIG } from '../../testing/index.ts';
import openapi from './index.ts';
import { openapiOptions, openapiRouteOptions } from './schema.ts';

describe('openapi options', () => {
  it('defaults: the public v1 contract, request validation on, docs at /docs, 1 MiB bodies', () => {
    expect(openapiOptions.parse({})).toEqual({
      apis: [{ name: 'v1', document: 'contracts/openapi/public-v1.yaml', validateRequests: true }],
      docs: { path: '/docs' },
      maxBodySize: 1024 * 1024,
      responseBodyLimit: 1024 * 1024,
    });
    expect(openapiRouteOptions.parse({})).toEqual({ requests: true, responses: false });
  });

  it('names the bad key', async () => {
    const issues = await configIssuesOf({
      ...MINIMAL_CONFIG,
      plugins: [
        {
          name: 'openapi',
          options: {
            apis: [{ name: 'V1', document: 'contracts/openapi/public-v1.yaml', prefix: '/api/v1/' }],
            docs: { path: 'docs' },
            maxBodySize: 'lots',
          },
        },
      ],
    });
    expect(issues).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^plugins\[0\]\.options\.apis\[0\]\.name: expected lower-case letters/),
        expect.stringMatching(/^plugins\[0\]\.options\.apis\[0\]\.prefix: expected a path like \/api\/v1/),
        expect.stringMatching(/^plugins\[0\]\.options\.docs/),
        expect.stringMatching(/^plugins\[0\]\.options\.maxBodySize: expected a non-negative size/),
      ]),
    );
  });

  it('its validate hook refuses a document that does not exist and a version listed twice', () => {
    const options = openapiOptions.parse({
      apis: [
        { name: 'v1', document: 'contracts/openapi/public-v1.yaml' },
        { name: 'v1', document: 'contracts/openapi/nowhere.yaml' },
      ],
    });
    expect(
      openapi.validate!(options, {
        pluginPath: 'plugins[0]',
        upstreams: [],
        routes: [],
        plugins: ['openapi'],
      }),
    ).toEqual([
      {
        path: 'plugins[0].options.apis[1].document',
        message: 'no such file: contracts/openapi/nowhere.yaml',
      },
      { path: 'plugins[0].options.apis[1].name', message: '"v1" is listed twice' },
    ]);
  });

  it('per-route options: requests on, responses off, unknown keys refused', async () => {
    const issues = await configIssuesOf({
      ...MINIMAL_CONFIG,
      plugins: [{ name: 'openapi' }],
      routes: [{ ...MINIMAL_CONFIG.routes[0], plugins: { openapi: { response: true } } }],
    });
    expect(issues).toEqual([expect.stringMatching(/^routes\[0\]\.plugins\.openapi/)]);
  });
});
