// The SPA, bundled in memory with esbuild when the plugin registers (no build step, nothing
// written to disk): index.html, app.js and app.css, served with a strict Content-Security-Policy
// (scripts and styles from this origin only, no inline code, no framing).
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

export interface AppFile {
  body: Buffer;
  type: string;
}

const APP_DIR = fileURLToPath(new URL('./app/', import.meta.url));

export const APP_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

export async function bundleApp(settings: {
  prefix: string;
  appPath: string;
}): Promise<Map<string, AppFile>> {
  const result = await build({
    entryPoints: [`${APP_DIR}main.ts`],
    bundle: true,
    write: false,
    format: 'esm',
    target: 'es2022',
    minify: true,
    define: { __WEB_PREFIX__: JSON.stringify(settings.prefix) },
    logLevel: 'silent',
  });
  const script = result.outputFiles[0];
  if (!script) throw new Error('web-bff: esbuild produced no bundle');
  const html = (await readFile(`${APP_DIR}index.html`, 'utf8')).replaceAll('{{appPath}}', settings.appPath);
  return new Map([
    ['', { body: Buffer.from(html), type: 'text/html; charset=utf-8' }],
    ['app.js', { body: Buffer.from(script.contents), type: 'text/javascript; charset=utf-8' }],
    ['app.css', { body: await readFile(`${APP_DIR}app.css`), type: 'text/css; charset=utf-8' }],
  ]);
}
