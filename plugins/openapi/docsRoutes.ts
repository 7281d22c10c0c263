// The published documents and the Swagger UI pages: one document and one page per API version,
// every asset served by the gateway itself from swagger-ui-dist (no CDN, no fonts, no other host;
// the page's Content-Security-Policy lets it reach nothing but this origin).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import Boom from '@hapi/boom';
import type { HandlerRoute } from '../../contracts/plugin.ts';
import type { LoadedContract } from './loadContract.ts';

const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
  'favicon-16x16.png': 'image/png',
};

export const DOCS_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  // Swagger UI sets inline styles on its elements.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

function readAssets(): Map<string, Buffer> {
  const require = createRequire(import.meta.url);
  const dir = path.dirname(require.resolve('swagger-ui-dist/package.json'));
  return new Map(Object.keys(ASSETS).map((name) => [name, readFileSync(path.join(dir, name))]));
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

export function documentPath(contract: LoadedContract): string {
  return `${contract.prefix}/openapi.json`;
}

function pageHtml(docsPath: string, contract: LoadedContract, all: readonly LoadedContract[]): string {
  const info = (contract.document.info ?? {}) as { title?: string; version?: string };
  const title = `${info.title ?? 'API'} ${contract.name}`;
  const versions = all
    .map((other) =>
      other === contract
        ? `<strong>${escapeHtml(other.name)}</strong>`
        : `<a href="${docsPath}/${escapeHtml(other.name)}">${escapeHtml(other.name)}</a>`,
    )
    .join(' · ');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<link rel="stylesheet" href="${docsPath}/assets/swagger-ui.css">
<link rel="icon" type="image/png" href="${docsPath}/assets/favicon-32x32.png">
</head>
<body>
<nav class="portico-versions" style="font-family: sans-serif; padding: 8px 20px; border-bottom: 1px solid #ddd">
API versions: ${versions} · document: <a href="${documentPath(contract)}">${documentPath(contract)}</a>
</nav>
<div id="swagger-ui"></div>
<script src="${docsPath}/assets/swagger-ui-bundle.js"></script>
<script src="${docsPath}/${escapeHtml(contract.name)}/init.js"></script>
</body>
</html>
`;
}

function initScript(contract: LoadedContract): string {
  const settings = {
    url: documentPath(contract),
    dom_id: '#swagger-ui',
    deepLinking: true,
    // The public validator badge would call validator.swagger.io.
    validatorUrl: null,
    persistAuthorization: false,
    displayRequestDuration: true,
  };
  return `window.ui = SwaggerUIBundle(Object.assign(${JSON.stringify(settings)}, {
  presets: [SwaggerUIBundle.presets.apis],
  layout: 'BaseLayout',
}));
`;
}

/** Handler routes: `/openapi.json` (the first version), `<prefix>/openapi.json`, and the pages. */
export function docsRoutes(contracts: readonly LoadedContract[], docsPath: string | false): HandlerRoute[] {
  // The edge's own pages are not operations of the contracts they publish.
  const plugins = { openapi: false };
  const documents = new Map(contracts.map((contract) => [contract, JSON.stringify(contract.document)]));
  const documentRoute = (routePath: string, contract: LoadedContract): HandlerRoute => ({
    id: `openapi.document.${contract.name}${routePath === '/openapi.json' ? '.root' : ''}`,
    method: 'GET',
    path: routePath,
    auth: 'none',
    plugins,
    handler: (_request, h) =>
      h
        .response(documents.get(contract)!)
        .type('application/json; charset=utf-8')
        .header('cache-control', 'no-cache'),
  });
  const routes: HandlerRoute[] = [
    documentRoute('/openapi.json', contracts[0]!),
    ...contracts.map((contract) => documentRoute(documentPath(contract), contract)),
  ];
  if (docsPath === false) return routes;

  const assets = readAssets();
  const byName = new Map(contracts.map((contract) => [contract.name, contract]));
  const pages = new Map(
    contracts.map((contract) => [contract.name, pageHtml(docsPath, contract, contracts)]),
  );
  const scripts = new Map(contracts.map((contract) => [contract.name, initScript(contract)]));
  const page = (name: string) => (_request: unknown, h: Parameters<HandlerRoute['handler']>[1]) =>
    h
      .response(pages.get(name)!)
      .type('text/html; charset=utf-8')
      .header('content-security-policy', DOCS_CSP)
      .header('cache-control', 'no-cache');
  routes.push(
    {
      id: 'openapi.docs',
      method: 'GET',
      path: docsPath,
      auth: 'none',
      plugins,
      handler: page(contracts[0]!.name),
    },
    {
      id: 'openapi.docs.version',
      method: 'GET',
      path: `${docsPath}/{version}`,
      auth: 'none',
      plugins,
      handler: (request, h) => {
        const name = request.params.version as string;
        if (!byName.has(name))
          throw Boom.notFound(`no API version "${name}" (known: ${[...byName.keys()].join(', ')})`);
        return page(name)(request, h);
      },
    },
    {
      id: 'openapi.docs.init',
      method: 'GET',
      path: `${docsPath}/{version}/init.js`,
      auth: 'none',
      plugins,
      handler: (request, h) => {
        const script = scripts.get(request.params.version as string);
        if (!script) throw Boom.notFound('no such API version');
        return h.response(script).type('text/javascript; charset=utf-8');
      },
    },
    {
      id: 'openapi.docs.assets',
      method: 'GET',
      path: `${docsPath}/assets/{file}`,
      auth: 'none',
      plugins,
      handler: (request, h) => {
        const name = request.params.file as string;
        const body = assets.get(name);
        if (!body) throw Boom.notFound('no such asset');
        return h.response(body).type(ASSETS[name]!).header('cache-control', 'public, max-age=3600');
      },
    },
  );
  return routes;
}
