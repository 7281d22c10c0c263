// The editor schema for portico.yaml, made from the same zod schemas that validate it, with each
// built-in plugin's options schema attached to its name.
import { z } from 'zod';
import { builtinPlugins } from '../registry/builtinPlugins.ts';
import { configSchema } from './schema.ts';

type JsonSchema = Record<string, unknown>;

export function configJsonSchema(): JsonSchema {
  const schema = z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  const properties = schema.properties as Record<string, JsonSchema>;
  const pluginItems = (properties.plugins as { items: JsonSchema }).items;

  const builtinEntries = [...builtinPlugins().values()].map((plugin) => ({
    type: 'object',
    description: `Built-in plugin ${plugin.name} (priority ${plugin.priority}; phases: ${plugin.phases.join(', ')})`,
    properties: {
      name: { const: plugin.name },
      enabled: { type: 'boolean', default: true },
      options: z.toJSONSchema(plugin.options, { io: 'input', unrepresentable: 'any' }),
    },
    required: ['name'],
    additionalProperties: false,
  }));
  const userEntry = {
    type: 'object',
    description: 'A user plugin loaded from a module path',
    properties: {
      module: { type: 'string' },
      enabled: { type: 'boolean', default: true },
      options: { type: 'object' },
    },
    required: ['module'],
    additionalProperties: false,
  };
  (properties.plugins as { items: JsonSchema }).items = {
    anyOf: [...builtinEntries, userEntry],
    description: pluginItems.description,
  };

  return {
    ...schema,
    $id: 'https://portico.dev/schemas/portico-config.schema.json',
    title: 'Portico gateway configuration',
  };
}
