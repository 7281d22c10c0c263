// `npm run schema`: writes the editor schema under contracts/ (a test keeps it current).
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { configJsonSchema } from './configJsonSchema.ts';

export const CONFIG_JSON_SCHEMA_PATH = fileURLToPath(
  new URL('../../contracts/portico-config.schema.json', import.meta.url),
);

export function renderConfigJsonSchema(): string {
  return `${JSON.stringify(configJsonSchema(), null, 2)}\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(CONFIG_JSON_SCHEMA_PATH, renderConfigJsonSchema());
  process.stdout.write(`wrote ${CONFIG_JSON_SCHEMA_PATH}\n`);
}
