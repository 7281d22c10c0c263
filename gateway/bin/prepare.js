#!/usr/bin/env node
// `npm install`'s postinstall: does ahead of time what a first `npm start` would otherwise do
// while the user waits (the launchers' bundle, the empty PGlite cluster new data directories are
// copied from). Nothing here is needed: on any failure it says so and the install goes on, and
// `npm start` does the work itself.
import { runEntry } from './bundle.js';

try {
  await runEntry('services/kit/db/prepareTemplateMain.ts');
} catch (error) {
  console.error(`portico: postinstall skipped (${error.message.split('\n')[0]}); npm start does it instead`);
}
