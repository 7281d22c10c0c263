// Reads one OpenAPI 3.1 document and builds its router once, at start. openapi-backend's `quick`
// mode skips its own definition check (written for 3.0; 3.1 documents are linted by the contract
// test) and dereferences synchronously; validators are compiled on first use, and the request
// validators ahead of use once the gateway serves (warmRequestValidators.ts).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import addFormats from 'ajv-formats';
import { OpenAPIBackend, type Document } from 'openapi-backend';
import YAML from 'yaml';
import { compileRouter, type OperationRouter } from './checkRequest.ts';

export interface LoadedContract {
  name: string;
  /** The document as published (references kept). */
  document: Record<string, unknown>;
  /** Requests under this path are bound to the document. */
  prefix: string;
  backend: OpenAPIBackend;
  /** Matches a request to an operation without per-request regex building. */
  router: OperationRouter;
  /** How many operations the document has. */
  operations: number;
}

export async function readContractDocument(file: string): Promise<Record<string, unknown>> {
  const text = await readFile(path.resolve(file), 'utf8');
  const parsed: unknown = /\.json$/i.test(file) ? JSON.parse(text) : YAML.parse(text);
  if (!parsed || typeof parsed !== 'object') throw new Error(`${file}: not an OpenAPI document`);
  const version = (parsed as { openapi?: unknown }).openapi;
  if (typeof version !== 'string' || !/^3\.1\.\d+$/.test(version)) {
    throw new Error(`${file}: expected an OpenAPI 3.1 document, found openapi: ${String(version)}`);
  }
  return parsed as Record<string, unknown>;
}

/** The document's first server URL when it is a path (`/api/v1`). */
export function documentPrefix(document: Record<string, unknown>): string | undefined {
  const servers = document.servers as { url?: unknown }[] | undefined;
  const url = servers?.[0]?.url;
  return typeof url === 'string' && url.startsWith('/') ? url.replace(/\/$/, '') : undefined;
}

export async function loadContract(options: {
  name: string;
  file: string;
  prefix?: string;
}): Promise<LoadedContract> {
  const document = await readContractDocument(options.file);
  const prefix = options.prefix ?? documentPrefix(document);
  if (!prefix) throw new Error(`${options.file}: no prefix given and the first server URL is not a path`);
  const backend = new OpenAPIBackend({
    // The validators may rewrite their copy (binary properties); the published document stays as written.
    definition: structuredClone(document) as unknown as Document,
    apiRoot: prefix,
    quick: true,
    strict: true,
    validate: true,
    coerceTypes: true,
    // Every error, not the first: a client fixes all its fields in one round trip. Ajv's own
    // console warnings are off; formats (date-time, uuid, email, uri) come from ajv-formats.
    ajvOpts: { allErrors: true, logger: false },
    customizeAjv: (ajv) => {
      // ajv-formats is CommonJS: its default export is the plugin function itself.
      (addFormats as unknown as (instance: typeof ajv) => void)(ajv);
      return ajv;
    },
  });
  await backend.init();
  const operations = backend.getOperations();
  return {
    name: options.name,
    document,
    prefix,
    backend,
    router: compileRouter(operations),
    operations: operations.length,
  };
}
