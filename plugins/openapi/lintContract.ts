// Lints an OpenAPI 3.1 document: its structure (a JSON Schema of the parts of OpenAPI 3.1 the
// contracts use, checked by Ajv's draft 2020-12 validator), every Schema Object against the JSON
// Schema 2020-12 meta-schema (OpenAPI 3.1's dialect is 2020-12 plus a few annotations), every
// local $ref, path templates against their parameters, security requirements against the schemes,
// and the rules the public contract keeps (an operationId, a success answer; with `examples`, an
// example for every request body and success answer).
//
// The official OpenAPI 3.1 meta-schema (spec.openapis.org/oas/3.1/schema) is not among the installed
// packages, so the structure schema below is this project's own, narrower than the official one.
import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';
import { pointerTarget, type JsonNode } from './resolveRefs.ts';

export interface LintIssue {
  /** JSON pointer into the document. */
  at: string;
  message: string;
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

const ref = { type: 'object', required: ['$ref'], properties: { $ref: { type: 'string' } } };
const orRef = (schema: object) => ({ if: { required: ['$ref'] }, then: ref, else: schema });
const mediaType = {
  type: 'object',
  properties: { schema: { type: ['object', 'boolean'] }, example: true, examples: { type: 'object' } },
};
const content = {
  type: 'object',
  propertyNames: { pattern: '^[a-z*]+/[a-z0-9.+*-]+$' },
  additionalProperties: mediaType,
};
const header = orRef({
  type: 'object',
  properties: {
    description: { type: 'string' },
    schema: { type: ['object', 'boolean'] },
    required: { type: 'boolean' },
  },
  oneOf: [{ required: ['schema'] }, { required: ['content'] }],
});
const parameter = orRef({
  type: 'object',
  required: ['name', 'in'],
  properties: {
    name: { type: 'string', minLength: 1 },
    in: { enum: ['query', 'header', 'path', 'cookie'] },
    required: { type: 'boolean' },
    schema: { type: ['object', 'boolean'] },
    content,
  },
  oneOf: [{ required: ['schema'] }, { required: ['content'] }],
  if: { properties: { in: { const: 'path' } } },
  then: { required: ['required'], properties: { required: { const: true } } },
});
const response = orRef({
  type: 'object',
  required: ['description'],
  properties: {
    description: { type: 'string' },
    headers: { type: 'object', additionalProperties: header },
    content,
  },
});
const operation = {
  type: 'object',
  required: ['responses'],
  properties: {
    operationId: { type: 'string' },
    tags: { type: 'array', items: { type: 'string' } },
    summary: { type: 'string' },
    parameters: { type: 'array', items: parameter },
    requestBody: orRef({
      type: 'object',
      required: ['content'],
      properties: { content, required: { type: 'boolean' } },
    }),
    responses: {
      type: 'object',
      minProperties: 1,
      propertyNames: { pattern: '^([1-5][0-9X]{2}|default)$' },
      additionalProperties: response,
    },
    security: {
      type: 'array',
      items: { type: 'object', additionalProperties: { type: 'array', items: { type: 'string' } } },
    },
  },
};
const securityScheme = {
  type: 'object',
  required: ['type'],
  properties: { type: { enum: ['apiKey', 'http', 'mutualTLS', 'oauth2', 'openIdConnect'] } },
  allOf: [
    {
      if: { properties: { type: { const: 'apiKey' } } },
      then: { required: ['name', 'in'], properties: { in: { enum: ['query', 'header', 'cookie'] } } },
    },
    { if: { properties: { type: { const: 'http' } } }, then: { required: ['scheme'] } },
  ],
};

export const OPENAPI_31_STRUCTURE = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  required: ['openapi', 'info', 'paths'],
  properties: {
    openapi: { type: 'string', pattern: '^3\\.1\\.\\d+(-.+)?$' },
    info: {
      type: 'object',
      required: ['title', 'version'],
      properties: {
        title: { type: 'string' },
        version: { type: 'string' },
        license: { type: 'object', required: ['name'] },
      },
    },
    jsonSchemaDialect: { type: 'string' },
    servers: {
      type: 'array',
      items: { type: 'object', required: ['url'], properties: { url: { type: 'string' } } },
    },
    paths: {
      type: 'object',
      propertyNames: { pattern: '^/' },
      additionalProperties: {
        type: 'object',
        propertyNames: {
          enum: [...METHODS, 'parameters', 'summary', 'description', 'servers', '$ref'],
        },
        properties: { parameters: { type: 'array', items: parameter } },
        additionalProperties: operation,
      },
    },
    components: {
      type: 'object',
      propertyNames: {
        enum: [
          'schemas',
          'responses',
          'parameters',
          'examples',
          'requestBodies',
          'headers',
          'securitySchemes',
          'links',
          'callbacks',
          'pathItems',
        ],
      },
      properties: {
        schemas: { type: 'object', additionalProperties: { type: ['object', 'boolean'] } },
        responses: { type: 'object', additionalProperties: response },
        parameters: { type: 'object', additionalProperties: parameter },
        headers: { type: 'object', additionalProperties: header },
        examples: { type: 'object', additionalProperties: { type: 'object' } },
        securitySchemes: { type: 'object', additionalProperties: securityScheme },
      },
      additionalProperties: { type: 'object', propertyNames: { pattern: '^[a-zA-Z0-9._-]+$' } },
    },
    security: { type: 'array', items: { type: 'object' } },
    tags: { type: 'array', items: { type: 'object', required: ['name'] } },
  },
  patternProperties: { '^x-': true },
  unevaluatedProperties: false,
};

function ajvIssues(errors: readonly ErrorObject[] | null | undefined, base = ''): LintIssue[] {
  return (
    (errors ?? [])
      // if/then and oneOf repeat their branches' errors; the branch errors say what is wrong.
      .filter((error) => error.keyword !== 'if')
      .map((error) => ({ at: base + error.instancePath || '/', message: error.message ?? 'is invalid' }))
  );
}

/** Every Schema Object of the document with its pointer. */
function schemaObjects(document: JsonNode): { at: string; schema: unknown }[] {
  const found: { at: string; schema: unknown }[] = [];
  const visit = (node: unknown, at: string, parentKey: string | undefined, inSchema: boolean) => {
    if (!node || typeof node !== 'object') return;
    if (inSchema) return;
    for (const [key, value] of Object.entries(node as JsonNode)) {
      const here = `${at}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
      const isSchemaSlot =
        (key === 'schema' && parentKey !== 'components') ||
        (parentKey === 'schemas' && at.endsWith('/components/schemas'));
      if (isSchemaSlot && value && typeof value === 'object') found.push({ at: here, schema: value });
      else visit(value, here, key, false);
    }
  };
  visit(document, '', undefined, false);
  return found;
}

function localRefs(node: unknown, at: string, out: { at: string; ref: string }[]): void {
  if (!node || typeof node !== 'object') return;
  for (const [key, value] of Object.entries(node as JsonNode)) {
    const here = `${at}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    if (key === '$ref' && typeof value === 'string') out.push({ at: here, ref: value });
    else localRefs(value, here, out);
  }
}

function deref(document: JsonNode, node: unknown): unknown {
  let current = node;
  for (let hops = 0; hops < 20 && current && typeof current === 'object' && '$ref' in current; hops++) {
    current = pointerTarget(document, (current as { $ref: string }).$ref);
  }
  return current;
}

function hasExample(media: unknown): boolean {
  const node = media as JsonNode | undefined;
  return Boolean(
    node && (node.example !== undefined || (node.examples && Object.keys(node.examples).length > 0)),
  );
}

export function lintContract(document: JsonNode, rules: { examples?: boolean } = {}): LintIssue[] {
  const ajv = new Ajv2020({ allErrors: true, strict: false, validateFormats: false });
  const issues: LintIssue[] = [];

  const validateStructure = ajv.compile(OPENAPI_31_STRUCTURE);
  if (!validateStructure(document)) issues.push(...ajvIssues(validateStructure.errors));

  for (const { at, schema } of schemaObjects(document)) {
    if (!ajv.validateSchema(schema as object)) {
      issues.push(
        ...ajvIssues(ajv.errors, at).map((issue) => ({ ...issue, message: `schema: ${issue.message}` })),
      );
    }
  }

  const refs: { at: string; ref: string }[] = [];
  localRefs(document, '', refs);
  for (const { at, ref: target } of refs) {
    if (!target.startsWith('#/'))
      issues.push({ at, message: `only local references are allowed: ${target}` });
    else if (pointerTarget(document, target) === undefined)
      issues.push({ at, message: `${target} does not resolve` });
  }

  const schemes = new Set(
    Object.keys(((document.components as JsonNode | undefined)?.securitySchemes ?? {}) as JsonNode),
  );
  const checkSecurity = (requirements: unknown, at: string) => {
    for (const [i, requirement] of ((requirements ?? []) as JsonNode[]).entries()) {
      for (const name of Object.keys(requirement))
        if (!schemes.has(name)) issues.push({ at: `${at}/${i}`, message: `unknown security scheme ${name}` });
    }
  };
  checkSecurity(document.security, '/security');

  const operationIds = new Map<string, string>();
  for (const [path, item] of Object.entries((document.paths ?? {}) as Record<string, JsonNode>)) {
    const pathAt = `/paths/${path.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    const templateNames = [...path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]!);
    for (const method of METHODS) {
      const operation = item[method] as JsonNode | undefined;
      if (!operation) continue;
      const at = `${pathAt}/${method}`;
      const id = operation.operationId;
      if (typeof id !== 'string') issues.push({ at, message: 'has no operationId' });
      else if (operationIds.has(id))
        issues.push({ at, message: `operationId ${id} is also used at ${operationIds.get(id)}` });
      else operationIds.set(id, at);
      checkSecurity(operation.security, `${at}/security`);

      const parameters = [
        ...((item.parameters ?? []) as unknown[]),
        ...((operation.parameters ?? []) as unknown[]),
      ].map((parameter) => deref(document, parameter) as { name?: string; in?: string });
      const pathParameters = new Set(parameters.filter((p) => p?.in === 'path').map((p) => p.name));
      for (const name of templateNames)
        if (!pathParameters.has(name))
          issues.push({ at, message: `path parameter {${name}} is not declared` });
      for (const name of pathParameters)
        if (name && !templateNames.includes(name))
          issues.push({ at, message: `path parameter ${name} is not in the path` });

      const body = deref(document, operation.requestBody) as { content?: JsonNode } | undefined;
      for (const [type, media] of Object.entries(body?.content ?? {}))
        if (rules.examples && !hasExample(media))
          issues.push({
            at: `${at}/requestBody/content/${type.replace(/\//g, '~1')}`,
            message: 'has no example',
          });

      const responses = Object.entries((operation.responses ?? {}) as JsonNode);
      const successes = responses.filter(([status]) => /^[23]/.test(status));
      if (successes.length === 0)
        issues.push({ at: `${at}/responses`, message: 'describes no success answer' });
      for (const [status, raw] of successes) {
        const response = deref(document, raw) as { content?: JsonNode } | undefined;
        for (const [type, media] of Object.entries(response?.content ?? {}))
          if (rules.examples && !hasExample(media))
            issues.push({
              at: `${at}/responses/${status}/content/${type.replace(/\//g, '~1')}`,
              message: 'has no example',
            });
      }
    }
  }
  return issues;
}
