#!/usr/bin/env node
// The `portico` command: runs the TypeScript CLI (bundled once per change of the sources, or
// through tsx; see bundle.js), so the repo needs no build step.
import { runEntry } from './bundle.js';

await runEntry('gateway/cli/main.ts');
