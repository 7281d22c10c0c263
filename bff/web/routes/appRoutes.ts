// GET {appPath}{file*}: the SPA's three files, from memory.
import Boom from '@hapi/boom';
import type { HandlerRoute } from '../../../contracts/plugin.ts';
import { APP_CSP, type AppFile } from '../appBundle.ts';

export function appRoutes(appPath: string, files: ReadonlyMap<string, AppFile>): HandlerRoute[] {
  return [
    {
      id: 'web.app',
      method: 'GET',
      path: `${appPath}{file*}`,
      auth: 'none',
      handler(request, h) {
        const file = files.get((request.params as { file?: string }).file ?? '');
        if (!file) throw Boom.notFound('No such file in the web app.');
        return h
          .response(file.body)
          .type(file.type)
          .header('content-security-policy', APP_CSP)
          .header('x-content-type-options', 'nosniff')
          .header('referrer-policy', 'no-referrer')
          .header('cache-control', 'no-cache');
      },
    },
  ];
}
