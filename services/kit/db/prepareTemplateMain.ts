// Makes the PGlite template (pgliteTemplate.ts): run by `npm install`'s postinstall.
import { preparePgliteTemplate } from './pgliteTemplate.ts';

const started = performance.now();
const dir = await preparePgliteTemplate();
console.error(`portico: PGlite template ready in ${Math.round(performance.now() - started)} ms (${dir})`);
