// Keeps a public contract in step with the services behind it: every public operation must exist
// on the service its config route sends it to (after the route's stripPrefix/addPrefix), with
// parameters, request bodies and success answers that the service's own document agrees with.
import { resolveRefs, type JsonNode } from './resolveRefs.ts';
import { accepts } from './schemaCompatibility.ts';

export interface ConsistencyIssue {
  /** `POST /api/v1/appointments`. */
  operation: string;
  message: string;
}

/** A config route as far as this check needs it. */
export interface RouteFacts {
  name?: string;
  path: string;
  methods?: string[] | '*';
  upstream: string;
  stripPrefix?: string;
  addPrefix?: string;
}

const OPERATION_METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head', 'trace'];
/** Headers the gateway itself consumes or answers: a service need not declare them. */
const EDGE_HEADERS = new Set(['idempotency-key', 'x-api-key', 'authorization']);

function staticPrefix(routePath: string): string {
  const brace = routePath.indexOf('{');
  return brace === -1 ? routePath : routePath.slice(0, brace);
}

function templateKey(path: string): string {
  return path.replace(/\{[^}]+\}/g, '{}');
}

function routeFor(routes: readonly RouteFacts[], method: string, fullPath: string): RouteFacts | undefined {
  const candidates = routes.filter((route) => {
    const prefix = staticPrefix(route.path);
    // hapi's `/x/{rest*}` also matches `/x` itself.
    const matchesPath = route.path.includes('{')
      ? fullPath.startsWith(prefix) || (prefix.endsWith('/') && fullPath === prefix.slice(0, -1))
      : fullPath === route.path;
    const methods = route.methods ?? '*';
    return matchesPath && (methods === '*' || methods.map((m) => m.toUpperCase()).includes(method));
  });
  return candidates.sort((a, b) => staticPrefix(b.path).length - staticPrefix(a.path).length)[0];
}

function operationsOf(
  document: JsonNode,
): { method: string; path: string; operation: JsonNode; item: JsonNode }[] {
  const out = [];
  for (const [path, item] of Object.entries((document.paths ?? {}) as Record<string, JsonNode>)) {
    for (const method of OPERATION_METHODS) {
      const operation = item[method] as JsonNode | undefined;
      if (operation) out.push({ method: method.toUpperCase(), path, operation, item });
    }
  }
  return out;
}

interface Parameter {
  name: string;
  in: string;
  required?: boolean;
  schema?: JsonNode;
}

function parametersOf(item: JsonNode, operation: JsonNode): Map<string, Parameter> {
  const all = [...((item.parameters ?? []) as Parameter[]), ...((operation.parameters ?? []) as Parameter[])];
  return new Map(all.map((parameter) => [`${parameter.in}:${parameter.name.toLowerCase()}`, parameter]));
}

function jsonSchemaOf(content: unknown, mediaType: string): JsonNode | undefined {
  return ((content ?? {}) as Record<string, { schema?: JsonNode }>)[mediaType]?.schema;
}

function serverPrefix(document: JsonNode): string {
  const url = ((document.servers ?? []) as { url?: string }[])[0]?.url ?? '';
  return url.startsWith('/') ? url.replace(/\/$/, '') : '';
}

/**
 * Compares `publicDocument` with the services' documents (by upstream name). Both are compared with
 * their local `$ref`s resolved.
 */
export function contractConsistency(
  publicDocument: JsonNode,
  routes: readonly RouteFacts[],
  serviceDocuments: ReadonlyMap<string, JsonNode>,
): ConsistencyIssue[] {
  const issues: ConsistencyIssue[] = [];
  const resolvedPublic = resolveRefs(publicDocument);
  const resolvedServices = new Map([...serviceDocuments].map(([name, doc]) => [name, resolveRefs(doc)]));
  const prefix = serverPrefix(resolvedPublic);

  for (const { method, path, operation, item } of operationsOf(resolvedPublic)) {
    const fullPath = prefix + path;
    const name = `${method} ${fullPath}`;
    const issue = (message: string) => issues.push({ operation: name, message });
    const route = routeFor(routes, method, fullPath);
    if (!route) {
      issue('no config route sends it anywhere');
      continue;
    }
    let upstreamPath = fullPath;
    if (route.stripPrefix) {
      if (!upstreamPath.startsWith(route.stripPrefix)) {
        issue(`route ${route.name ?? route.path}: stripPrefix ${route.stripPrefix} does not apply`);
        continue;
      }
      upstreamPath = upstreamPath.slice(route.stripPrefix.length) || '/';
    }
    if (route.addPrefix) upstreamPath = route.addPrefix.replace(/\/$/, '') + upstreamPath;
    const service = resolvedServices.get(route.upstream);
    if (!service) {
      issue(`upstream ${route.upstream} has no OpenAPI document`);
      continue;
    }
    const upstream = operationsOf(service).find(
      (candidate) => candidate.method === method && templateKey(candidate.path) === templateKey(upstreamPath),
    );
    if (!upstream) {
      issue(`${route.upstream} has no ${method} ${upstreamPath}`);
      continue;
    }
    const where = `${route.upstream} ${method} ${upstream.path}`;

    // Parameters: what the public side sends must be something the service takes.
    const publicParameters = parametersOf(item, operation);
    const serviceParameters = parametersOf(upstream.item, upstream.operation);
    for (const [key, parameter] of publicParameters) {
      if (parameter.in === 'header' && EDGE_HEADERS.has(parameter.name.toLowerCase())) continue;
      const theirs = serviceParameters.get(key);
      if (!theirs) {
        issue(`parameter ${parameter.in} ${parameter.name} is not declared by ${where}`);
        continue;
      }
      for (const found of accepts(theirs.schema ?? {}, parameter.schema ?? {}, parameter.name))
        issue(`parameter ${parameter.in} ${found.at}: ${found.message} (${where})`);
    }
    for (const [key, parameter] of serviceParameters) {
      if (parameter.required && !publicParameters.get(key)?.required)
        issue(`${where} requires ${parameter.in} parameter ${parameter.name}`);
    }

    // Request bodies: each public media type must be one the service takes, no wider than its schema.
    const publicBody = operation.requestBody as { content?: JsonNode; required?: boolean } | undefined;
    const serviceBody = upstream.operation.requestBody as
      { content?: JsonNode; required?: boolean } | undefined;
    if (publicBody && !serviceBody) issue(`${where} takes no request body`);
    if (serviceBody?.required && !publicBody?.required) issue(`${where} requires a request body`);
    if (publicBody && serviceBody) {
      for (const mediaType of Object.keys(publicBody.content ?? {})) {
        const theirs = jsonSchemaOf(serviceBody.content, mediaType);
        if (!theirs) {
          issue(`${where} does not take ${mediaType}`);
          continue;
        }
        for (const found of accepts(theirs, jsonSchemaOf(publicBody.content, mediaType) ?? {}, 'body'))
          issue(`request ${mediaType} ${found.at}: ${found.message} (${where})`);
      }
    }

    // Success answers: every one the service gives is documented, and no wider than documented.
    const publicResponses = (operation.responses ?? {}) as Record<string, JsonNode>;
    const serviceResponses = (upstream.operation.responses ?? {}) as Record<string, JsonNode>;
    for (const [status, response] of Object.entries(serviceResponses)) {
      if (!/^[23]/.test(status)) continue;
      const documented = publicResponses[status];
      if (!documented) {
        issue(`${where} answers ${status}, which the public document does not describe`);
        continue;
      }
      for (const mediaType of Object.keys((response.content ?? {}) as JsonNode)) {
        const ours = jsonSchemaOf(documented.content, mediaType);
        if (!ours) {
          issue(`${status} ${mediaType} from ${where} is not described`);
          continue;
        }
        for (const found of accepts(ours, jsonSchemaOf(response.content, mediaType) ?? {}, 'response'))
          issue(`${status} ${mediaType} ${found.at}: ${found.message} (${where})`);
      }
    }
    for (const status of Object.keys(publicResponses)) {
      if (/^[23]/.test(status) && !serviceResponses[status]) issue(`${where} never answers ${status}`);
    }
  }
  return issues;
}
