// Lints an OpenAPI 3.1 document: first against the OpenAPI Initiative's published schema with its
// Schema Object dialect (officialSchemaIssues.ts), then the rules of the specification that a JSON
// Schema cannot express, and the rules the public contract keeps:
// - every `$ref` resolves (a schema cannot follow the references it validates), and is local (the
//   contracts are self-contained);
// - path templates and path parameters match both ways, and operationIds are unique (the
//   specification's MUSTs across objects);
// - security requirements name declared schemes;
// - every operation has an operationId and a success answer, and with `examples`, an example for
//   every request body and success answer (this project's rules, not the specification's).
//
// Test-only, like officialSchemaIssues.ts.
import { officialSchemaIssues, type LintIssue } from './officialSchemaIssues.ts';
import { pointerTarget, type JsonNode } from './resolveRefs.ts';

export type { LintIssue };

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

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

export async function lintContract(
  document: JsonNode,
  rules: { examples?: boolean } = {},
): Promise<LintIssue[]> {
  const issues: LintIssue[] = await officialSchemaIssues(document);

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
    if (!Array.isArray(requirements)) return;
    for (const [i, requirement] of (requirements as unknown[]).entries()) {
      for (const name of Object.keys(requirement ?? {}))
        if (!schemes.has(name)) issues.push({ at: `${at}/${i}`, message: `unknown security scheme ${name}` });
    }
  };
  checkSecurity(document.security, '/security');

  const operationIds = new Map<string, string>();
  for (const [path, item] of Object.entries((document.paths ?? {}) as Record<string, JsonNode>)) {
    // A malformed path item is the official schema's to report.
    if (!item || typeof item !== 'object') continue;
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
