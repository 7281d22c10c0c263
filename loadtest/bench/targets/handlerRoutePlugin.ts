// A plugin with one handler route that answers by calling the bench upstream through the upstream
// client (the path a BFF screen or a GraphQL executor takes), so the bench can weigh that client
// against a bare undici request loop.
import { z } from 'zod';
import { definePlugin } from '../../../contracts/plugin.ts';

export default definePlugin({
  name: 'bench-handler',
  version: '1.0.0',
  priority: 5,
  phases: ['handler'],
  options: z.object({}).strict().prefault({}),
  register(server) {
    const portico = server.portico;
    portico.route({
      id: 'bench-handler',
      method: 'GET',
      path: '/handler/{p*}',
      auth: 'none',
      async handler(request, h) {
        const reply = await portico.upstream('bench', 'bench-handler').request({
          method: 'GET',
          path: `/${request.params['p'] as string}`,
          ...portico.exchangeContext(request),
        });
        const response = h.response(reply.body).code(reply.status);
        const type = reply.headers['content-type'];
        if (type) response.type(String(type));
        return response;
      },
    });
  },
});
