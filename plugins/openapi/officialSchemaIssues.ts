// Validates a document against the OpenAPI Initiative's own JSON Schema for 3.1, `schema-base`:
// the document's structure (`…/oas/3.1/schema`) and every Schema Object in it against the OAS 3.1
// dialect (`…/oas/3.1/dialect/base`: draft 2020-12 plus the OAS vocabulary, `…/oas/3.1/meta/base`).
// @hyperjump/json-schema ships those schemas and registers them in memory, so nothing is fetched;
// it is the validator the OAI's own schema tests run on, and it resolves the `$dynamicRef: #meta`
// that carries the dialect into every Schema Object (Ajv 8, tried with the same schemas, refuses
// even `{ type: string }` there).
//
// Test-only: the package is a dev dependency, so nothing the gateway loads at run time may import
// this file.
import { BASIC } from '@hyperjump/json-schema/experimental';
import { validate, type OutputUnit, type Validator } from '@hyperjump/json-schema/openapi-3-1';
import type { JsonNode } from './resolveRefs.ts';

export interface LintIssue {
  /** JSON pointer into the document. */
  at: string;
  message: string;
}

export const OAS_31_SCHEMA_BASE = 'https://spec.openapis.org/oas/3.1/schema-base';

let compiled: Promise<Validator> | undefined;

/** `#/paths/~1things~1%7Bid%7D` (a URI fragment) → `/paths/~1things~1{id}` (a JSON pointer). */
function pointerOf(instanceLocation: string): string {
  return decodeURIComponent(instanceLocation.replace(/^#/, '')) || '/';
}

export async function officialSchemaIssues(document: JsonNode): Promise<LintIssue[]> {
  compiled ??= validate(OAS_31_SCHEMA_BASE);
  const output = (await compiled)(document as Parameters<Validator>[0], BASIC);
  if (output.valid) return [];
  // BASIC lists the failing keywords themselves (the leaves), each with the official schema's
  // keyword that refused it: `…/schema#/$defs/response/required` says what the rule is.
  return (output.errors ?? []).map((unit: OutputUnit) => ({
    at: pointerOf(unit.instanceLocation),
    message: `violates ${unit.absoluteKeywordLocation}`,
  }));
}
