// An HTTP client for tests that checks every response against the service's OpenAPI document:
// the operation must exist, the status must be documented, the content type must be one the
// document lists, and a JSON body must validate against its schema. A mismatch throws, so a
// test that sees an undocumented response fails.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { OpenAPIBackend, ValidationContext } from 'openapi-backend';
import type { Document } from 'openapi-backend';
import YAML from 'yaml';

type Ajv = Parameters<NonNullable<ConstructorParameters<typeof OpenAPIBackend>[0]['customizeAjv']>>[0];

// The formats the documents use; openapi-backend registers only numeric ones.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;
function addFormats(ajv: Ajv): Ajv {
  ajv.addFormat('uuid', UUID);
  ajv.addFormat('date-time', (value: string) => DATE_TIME.test(value) && !Number.isNaN(Date.parse(value)));
  ajv.addFormat('email', /^[^\s@]+@[^\s@]+\.[^\s@]+$/);
  ajv.addFormat('uri', (value: string) => URL.canParse(value));
  return ajv;
}

type Validate = ((data: unknown) => boolean) & { errors?: unknown[] | null };

/** Tests read response JSON freely; the contract check, not the type, is what vouches for it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyJson = any;

export interface ContractResponse<Body = AnyJson> {
  status: number;
  headers: Headers;
  /** Parsed JSON for JSON content types, else undefined. */
  body: Body;
  bytes: Buffer;
}

export interface RequestOptions {
  json?: unknown;
  body?: BodyInit;
  token?: string;
  headers?: Record<string, string>;
}

export interface ContractClient {
  request<Body = AnyJson>(
    method: string,
    path: string,
    options?: RequestOptions,
  ): Promise<ContractResponse<Body>>;
  /** How many responses were checked (tests assert this is not zero). */
  readonly checked: number;
}

type ContractName = 'identity' | 'programs' | 'appointments' | 'resources';

interface ResponseSpec {
  content?: Record<string, { schema?: object }>;
}

const isJson = (type: string) => type === 'application/json' || type.endsWith('+json');

export async function createContractClient(service: ContractName, baseUrl: string): Promise<ContractClient> {
  const file = fileURLToPath(new URL(`../../contracts/openapi/${service}.yaml`, import.meta.url));
  const api = new OpenAPIBackend({
    definition: YAML.parse(await readFile(file, 'utf8')) as Document,
    // Not quick, openapi-backend checks the definition against the 3.0 meta-schema only, which
    // rejects 3.1's `type: [string, "null"]`; quick skips that. Dangling $refs are caught below.
    quick: true,
    validate: true,
    customizeAjv: (ajv) => addFormats(ajv),
  });
  await api.init();
  if (JSON.stringify(api.definition).includes('"$ref"')) throw new Error(`${file}: unresolved $ref`);
  const ajv = api.validator.getAjv(ValidationContext.Response);
  const compiled = new Map<string, Validate>();
  // Compile every JSON response schema up front: a malformed schema fails the test at once.
  for (const operation of api.router.getOperations()) {
    for (const [status, response] of Object.entries(operation.responses as Record<string, ResponseSpec>)) {
      for (const [type, media] of Object.entries(response.content ?? {})) {
        if (isJson(type) && media.schema) {
          compiled.set(`${operation.operationId}:${status}:${type}`, ajv.compile(media.schema) as Validate);
        }
      }
    }
  }
  let checked = 0;

  const check = (
    method: string,
    path: string,
    status: number,
    contentType: string,
    bytes: Buffer,
    body: unknown,
  ) => {
    const where = `${service}: ${method} ${path} → ${status}`;
    const operation = api.router.matchOperation({ method, path, headers: {} });
    if (!operation) throw new Error(`${where}: no such operation in contracts/openapi/${service}.yaml`);
    const responses = operation.responses as Record<string, ResponseSpec>;
    const spec = responses[String(status)] ?? responses[`${String(status)[0]}XX`] ?? responses.default;
    if (!spec) throw new Error(`${where}: status not documented`);
    if (!spec.content) {
      if (bytes.length > 0) throw new Error(`${where}: documented without a body, got ${bytes.length} bytes`);
      return;
    }
    const media = spec.content[contentType];
    if (!media)
      throw new Error(
        `${where}: content type ${contentType || '(none)'} not documented (${Object.keys(spec.content).join(', ')})`,
      );
    if (!isJson(contentType) || !media.schema) return;
    const key = `${operation.operationId}:${status}:${contentType}`;
    let validate = compiled.get(key);
    if (!validate) {
      validate = ajv.compile(media.schema) as Validate;
      compiled.set(key, validate);
    }
    if (!validate(body)) {
      throw new Error(
        `${where}: body does not match the contract: ${JSON.stringify(validate.errors)}\n${JSON.stringify(body)}`,
      );
    }
  };

  return {
    get checked() {
      return checked;
    },
    async request<Body = AnyJson>(
      method: string,
      path: string,
      options: RequestOptions = {},
    ): Promise<ContractResponse<Body>> {
      const headers: Record<string, string> = { ...options.headers };
      if (options.token) headers.authorization = `Bearer ${options.token}`;
      let body = options.body;
      if (options.json !== undefined) {
        headers['content-type'] = 'application/json';
        body = JSON.stringify(options.json);
      }
      const response = await fetch(baseUrl + path, { method, headers, body });
      const bytes = Buffer.from(await response.arrayBuffer());
      const contentType = (response.headers.get('content-type') ?? '').split(';')[0]?.trim() ?? '';
      const parsed: unknown =
        isJson(contentType) && bytes.length > 0 ? JSON.parse(bytes.toString('utf8')) : undefined;
      check(
        method.toLowerCase(),
        new URL(baseUrl + path).pathname,
        response.status,
        contentType,
        bytes,
        parsed,
      );
      checked += 1;
      return { status: response.status, headers: response.headers, body: parsed as Body, bytes };
    },
  };
}
