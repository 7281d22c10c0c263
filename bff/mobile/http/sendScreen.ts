// One screen answer: sparse fieldset → JSON → ETag → 304 or the body, compressed above a size.
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import Boom from '@hapi/boom';
import type { Request, ResponseToolkit } from '@hapi/hapi';
import type { MobileBffOptions } from '../schema.ts';
import { chooseEncoding } from './chooseEncoding.ts';
import { entityTag, matchesIfNoneMatch } from './entityTag.ts';
import { parseFields, pickFields, unknownFields } from './pickFields.ts';

const brotli = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

export interface ScreenSender {
  (request: Request, h: ResponseToolkit, screen: Record<string, unknown>, status?: number): Promise<unknown>;
}

export function screenSender(compression: MobileBffOptions['compression']): ScreenSender {
  return async (request, h, screen, status = 200) => {
    const fieldsParam = request.query.fields as unknown;
    let body: unknown = screen;
    if (typeof fieldsParam === 'string') {
      const tree = parseFields(fieldsParam);
      if (tree) {
        const unknown = unknownFields(tree, screen);
        if (unknown.length) throw Boom.badRequest(`fields: unknown field ${unknown.join(', ')}`);
        body = pickFields(screen, tree);
      }
    }
    const json = Buffer.from(JSON.stringify(body));
    const tag = entityTag(json);
    const headerOf = (name: string) => {
      const value: unknown = request.headers[name];
      return typeof value === 'string' ? value : undefined;
    };
    // Private: the screens are per user. no-cache: the app revalidates with If-None-Match.
    const common = { etag: tag, 'cache-control': 'private, no-cache', vary: 'accept-encoding' };
    if (status === 200 && matchesIfNoneMatch(headerOf('if-none-match'), tag)) {
      const notModified = h.response().code(304);
      for (const [name, value] of Object.entries(common)) notModified.header(name, value);
      return notModified;
    }
    const encoding =
      json.length >= compression.minBytes ? chooseEncoding(headerOf('accept-encoding')) : 'identity';
    const payload =
      encoding === 'br'
        ? await brotli(json, {
            params: {
              [constants.BROTLI_PARAM_QUALITY]: compression.brotliQuality,
              [constants.BROTLI_PARAM_SIZE_HINT]: json.length,
            },
          })
        : encoding === 'gzip'
          ? await gzipAsync(json, { level: compression.gzipLevel })
          : json;
    const response = h.response(payload).code(status).type('application/json; charset=utf-8');
    for (const [name, value] of Object.entries(common)) response.header(name, value);
    if (encoding !== 'identity') response.compressed(encoding);
    return response;
  };
}
