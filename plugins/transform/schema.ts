import { z } from 'zod';
import { byteSize } from '../../contracts/units.ts';
import { parseFieldPath } from './fieldPath.ts';

// Headers no rule may touch: the framing of the message (the gateway sets those), and the identity
// headers services trust (only the gateway's auth may speak for a caller).
const PROTECTED =
  /^(content-length|transfer-encoding|connection|keep-alive|upgrade|te|trailer|host|x-user-.*|x-api-key-id|x-api-key-owner)$/;

const headerName = z
  .string()
  .toLowerCase()
  .regex(/^[a-z0-9!#$%&'*+.^_`|~-]+$/, 'expected a header name')
  .refine((name) => !PROTECTED.test(name), {
    message: 'this header is managed by the gateway; no rule may change it',
  });

const headerValue = z
  .string()
  .regex(/^[\t\x20-\x7e\x80-\xff]*$/, 'expected a header value without control characters');

const headerRules = z
  .object({
    remove: z.array(headerName).default([]).describe('Headers removed'),
    rename: z
      .record(headerName, headerName)
      .default({})
      .describe('from → to: the value moves to the new name'),
    add: z
      .record(headerName, headerValue)
      .default({})
      .describe('Headers set (replacing a value already there)'),
  })
  .strict();

const fieldPath = z.string().transform((text, ctx) => {
  const parsed = parseFieldPath(text);
  if (typeof parsed === 'string') {
    ctx.addIssue({ code: 'custom', message: parsed });
    return z.NEVER;
  }
  return parsed;
});

const bodyRules = z
  .object({
    remove: z.array(fieldPath).default([]).describe('Fields removed: dotted paths or JSON pointers'),
    rename: z
      .record(
        z.string(),
        z.string().regex(/^[^./]+$/, 'expected the new name of the field (no dots or slashes)'),
      )
      .default({})
      .describe('path → new name, in the same object'),
  })
  .strict()
  .transform((rules, ctx) => ({
    remove: rules.remove,
    rename: Object.entries(rules.rename).flatMap(([from, to]) => {
      const parsed = parseFieldPath(from);
      if (typeof parsed === 'string') {
        ctx.addIssue({ code: 'custom', path: ['rename', from], message: parsed });
        return [];
      }
      return [{ from: parsed, to }];
    }),
  }));

const direction = z
  .object({
    headers: headerRules.optional(),
    body: bodyRules.optional().describe('JSON bodies only; a route with body rules has its bodies buffered'),
  })
  .strict();

export const transformOptions = z
  .object({
    maxBodySize: byteSize()
      .prefault('1mb')
      .describe(
        'Largest body a body rule reads: a larger request is refused (413), a larger answer passes untouched',
      ),
  })
  .strict();

export const transformRouteOptions = z
  .object({
    request: direction.optional().describe('On the way to the upstream (proxied routes)'),
    response: direction.optional().describe('On the way back to the client'),
    maxBodySize: byteSize().optional().describe("Overrides the plugin's maxBodySize on this route"),
  })
  .strict();

export type TransformOptions = z.output<typeof transformOptions>;
export type TransformRouteOptions = z.output<typeof transformRouteOptions>;
export type HeaderRules = z.output<typeof headerRules>;
