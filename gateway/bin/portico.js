#!/usr/bin/env node
// The `portico` command: loads the TypeScript CLI through tsx, so the repo needs no build step.
import { register } from 'tsx/esm/api';

register();
await import('../cli/main.ts');
