import { z } from 'zod';
import { byteSize } from '../../contracts/units.ts';

const apiName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]*$/, 'expected lower-case letters, digits and -, like "v1"')
  .describe('The version in URLs: /docs/<name>, /api/<name>/openapi.json');

export const openapiApi = z
  .object({
    name: apiName,
    document: z
      .string()
      .min(1)
      .describe('The OpenAPI 3.1 document (YAML or JSON), relative to the working directory'),
    prefix: z
      .string()
      .regex(/^\/[^{}?#]*[^/{}?#]$/, 'expected a path like /api/v1 (no trailing slash, no parameters)')
      .optional()
      .describe("Requests under it are bound to the document; default: the document's first server URL"),
    validateRequests: z
      .boolean()
      .default(true)
      .describe('Validate path, query, headers and JSON body before the upstream is called'),
  })
  .strict();

export const openapiOptions = z
  .object({
    apis: z
      .array(openapiApi)
      .min(1)
      .default([{ name: 'v1', document: 'contracts/openapi/public-v1.yaml', validateRequests: true }])
      .describe('One entry per API version; the first is /openapi.json and /docs'),
    docs: z
      .union([
        z
          .object({
            path: z
              .string()
              .regex(/^\/[a-z0-9/_-]*[a-z0-9_-]$/, 'expected a path like /docs')
              .default('/docs'),
          })
          .strict(),
        z.literal(false),
      ])
      .prefault({})
      .describe('The Swagger UI pages (served from swagger-ui-dist, no other host), or false'),
    maxBodySize: byteSize()
      .default(1024 * 1024)
      .describe('JSON bodies are read (and validated) up to this size; larger get 413'),
    responseBodyLimit: byteSize()
      .default(1024 * 1024)
      .describe('Response validation reads at most this much of an answer; larger answers are not checked'),
  })
  .strict();

export const openapiRouteOptions = z
  .object({
    requests: z
      .boolean()
      .default(true)
      .describe("false: this route's requests are not checked (unknown operations included)"),
    responses: z
      .boolean()
      .default(false)
      .describe('Check answers against the document (staging): mismatches go to logs and metrics only'),
  })
  .strict();

export type OpenapiOptions = z.output<typeof openapiOptions>;
export type OpenapiApiOptions = z.output<typeof openapiApi>;
export type OpenapiRouteOptions = z.output<typeof openapiRouteOptions>;
